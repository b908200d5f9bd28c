/// The kinds of card the simulator can play, as named on the `parcours-cardsim` command line.
public enum SimulatedCardKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case ntag213
    case ntag215
    case ntag216
    case ntag424
    case app
    case visa
    case mastercard
    case hostile

    /// The one-line description `parcours-cardsim kinds` prints.
    public var summary: String {
        switch self {
        case .ntag213: "NXP NTAG213 NFC Forum Type 2 tag, 144 bytes of user memory (45 pages)"
        case .ntag215: "NXP NTAG215 NFC Forum Type 2 tag, 504 bytes of user memory (135 pages)"
        case .ntag216: "NXP NTAG216 NFC Forum Type 2 tag, 888 bytes of user memory (231 pages)"
        case .ntag424: "NXP NTAG 424 DNA Type 4 tag serving a SUN URL; its read counter rises on every tap"
        case .app: "Phone with the Parcours companion app (Android HCE): SELECT and signed AUTHENTICATE"
        case .visa: "Contactless Visa card (test PAN 4761739001010010) with a Payment Account Reference"
        case .mastercard: "Contactless Mastercard card (test PAN 5413330089010434), no PAR"
        case .hostile: "ISO 14443-4 card that breaks the rules (--mode truncated, oversized, wrong-length, ...)"
        }
    }

    /// Parses a command-line name, case-insensitively.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/unknownCardKind`` listing the known kinds.
    public init(name: String) throws(CardSimulatorError) {
        guard let kind = Self(rawValue: name.lowercased()) else {
            let known = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw CardSimulatorError(.unknownCardKind, "unknown card kind '\(name)'; known kinds: \(known)")
        }
        self = kind
    }

    public var description: String { rawValue }

    /// The NTAG21x model, for the Type 2 kinds.
    public var ntagModel: NTAGModel? {
        switch self {
        case .ntag213: .ntag213
        case .ntag215: .ntag215
        case .ntag216: .ntag216
        default: nil
        }
    }
}
