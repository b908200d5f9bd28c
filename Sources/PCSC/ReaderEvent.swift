/// What the reader monitor saw.
public enum ReaderEvent: Sendable, Hashable, CustomStringConvertible {
    /// pcscd answers (at start, and again after it was lost).
    case serviceAvailable
    /// pcscd stopped answering; the monitor keeps trying with backoff.
    case serviceUnavailable(PCSCError)
    case readerAdded(String)
    case readerRemoved(String)
    /// A card entered the reader's field.
    case cardInserted(reader: String, atr: [UInt8])
    case cardRemoved(reader: String)
    /// A card came and went between two looks at the reader: pcscd's event counter proves the tap happened,
    /// but it was gone before it could be read.
    case quickTapMissed(reader: String)

    public var description: String {
        switch self {
        case .serviceAvailable: "pcscd available"
        case .serviceUnavailable(let error): "pcscd unavailable: \(error)"
        case .readerAdded(let name): "reader added: \(name)"
        case .readerRemoved(let name): "reader removed: \(name)"
        case .cardInserted(let reader, let atr): "card inserted in \(reader), ATR \(atr.hexString)"
        case .cardRemoved(let reader): "card removed from \(reader)"
        case .quickTapMissed(let reader): "card tapped and gone before it could be read on \(reader)"
        }
    }
}

extension [UInt8] {
    /// Uppercase hex, no separators: `04A1B2`.
    public var hexString: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
