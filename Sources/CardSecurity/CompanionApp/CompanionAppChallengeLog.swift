/// The challenges recently answered, so the same challenge is never accepted twice even if a
/// reader's generator misbehaves. Bounded: the oldest entries are forgotten first.
actor CompanionAppChallengeLog {
    private let capacity: Int
    private var seen: Set<[UInt8]> = []
    private var order: [[UInt8]] = []
    private var oldest = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// `true` when `challenge` is new (and now remembered), `false` when it was used before.
    func use(_ challenge: [UInt8]) -> Bool {
        guard !seen.contains(challenge) else { return false }
        if order.count < capacity {
            order.append(challenge)
        } else {
            seen.remove(order[oldest])
            order[oldest] = challenge
            oldest = (oldest + 1) % capacity
        }
        seen.insert(challenge)
        return true
    }
}
