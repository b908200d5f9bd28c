/// A BER-TLV data object as EMV uses it: a tag, a value and, for constructed tags, the TLVs inside.
///
/// Equality compares the tag and the value bytes; the children are a view of the value.
public struct TLV: Hashable, Sendable {
    public let tag: TLVTag
    public let value: [UInt8]
    /// The objects inside a constructed TLV, parsed eagerly by ``parseAll(_:maximumDepth:)`` and set by
    /// ``init(tag:children:)``; empty for primitive tags and for values built with ``init(tag:value:)``.
    public let children: [TLV]

    /// A TLV with the value kept as given (no child parsing).
    public init(tag: TLVTag, value: [UInt8]) {
        self.tag = tag
        self.value = value
        self.children = []
    }

    /// A constructed TLV whose value is the encoding of `children`.
    public init(tag: TLVTag, children: [TLV]) {
        self.tag = tag
        self.children = children
        self.value = children.flatMap { $0.serialized() }
    }

    init(tag: TLVTag, value: [UInt8], children: [TLV]) {
        self.tag = tag
        self.value = value
        self.children = children
    }

    public static func == (lhs: TLV, rhs: TLV) -> Bool { lhs.tag == rhs.tag && lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tag)
        hasher.combine(value)
    }

    /// This TLV or the first TLV below it (depth first, in order) with `tag`.
    public func first(tag wanted: TLVTag) -> TLV? {
        if tag == wanted { return self }
        return children.first(tag: wanted)
    }

    /// Tag, minimal-length encoding (`81`…`84` forms from 128 bytes on) and value.
    public func serialized() -> [UInt8] {
        tag.bytes + Self.encodeLength(value.count) + value
    }

    static func encodeLength(_ length: Int) -> [UInt8] {
        switch length {
        case ..<0x80: [UInt8(length)]
        case ..<0x100: [0x81, UInt8(length)]
        case ..<0x1_0000: [0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
        case ..<0x100_0000: [0x83, UInt8(length >> 16), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        default: [0x84, UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        }
    }
}

extension Array where Element == TLV {
    /// The first TLV with `tag` among these and their descendants, depth first.
    public func first(tag: TLVTag) -> TLV? {
        for element in self {
            if let found = element.first(tag: tag) { return found }
        }
        return nil
    }
}

extension TLV: CustomStringConvertible {
    public var description: String {
        children.isEmpty ? "\(tag)=\(hexString(value))" : "\(tag)[\(children.map(\.description).joined(separator: " "))]"
    }
}
