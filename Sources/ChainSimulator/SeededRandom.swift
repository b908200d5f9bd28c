/// SplitMix64: a small seeded generator, so one seed always simulates the same chain (and the insight tests
/// always build the same one).
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Fixed-width upper-case hex of the next value, for identifiers.
    mutating func hex(digits: Int) -> String {
        var text = ""
        while text.count < digits { text += String(next(), radix: 16, uppercase: true) }
        return String(text.prefix(digits))
    }

    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(below(10))) })
    }
}
