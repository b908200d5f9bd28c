/// The TLV blocks of a Type 2 tag's data area (the bytes from page 4), up to the NDEF message.
///
/// The data area is read as contiguous: lock and reserved areas that memory control TLVs announce are
/// recorded but not skipped inside the NDEF value. On NTAG21x and the Ultralight family those areas lie
/// after the data area, so this matches the tags this project reads.
public struct Type2TagMemory: Hashable, Sendable {
    /// A Lock Control TLV (`01`, 3 bytes): where dynamic lock bits live.
    public struct LockControl: Hashable, Sendable {
        public let value: [UInt8]
        public var pageAddress: Int { Int(value[0] >> 4) }
        public var byteOffset: Int { Int(value[0] & 0x0F) }
        /// Number of lock bits; `00` means 256.
        public var sizeInBits: Int { value[1] == 0 ? 256 : Int(value[1]) }
        public var bytesPerPage: Int { 1 << Int(value[2] & 0x0F) }
        public var bytesLockedPerBit: Int { 1 << Int(value[2] >> 4) }
        /// Byte address of the first lock byte from the start of the tag memory.
        public var byteAddress: Int { pageAddress * bytesPerPage + byteOffset }
    }

    /// A Memory Control TLV (`02`, 3 bytes): a reserved area.
    public struct MemoryControl: Hashable, Sendable {
        public let value: [UInt8]
        public var pageAddress: Int { Int(value[0] >> 4) }
        public var byteOffset: Int { Int(value[0] & 0x0F) }
        /// Size of the reserved area in bytes; `00` means 256.
        public var size: Int { value[1] == 0 ? 256 : Int(value[1]) }
        public var bytesPerPage: Int { 1 << Int(value[2] & 0x0F) }
        public var byteAddress: Int { pageAddress * bytesPerPage + byteOffset }
    }

    public let lockControls: [LockControl]
    public let memoryControls: [MemoryControl]
    /// Whether an NDEF TLV (`03`) was found before the terminator or the end of the data area.
    public let hasNDEFTLV: Bool
    /// The NDEF message bytes; `nil` when the NDEF TLV is empty (an initialized, blank tag) or absent.
    public let ndefMessage: [UInt8]?
    /// Offset in the data area of the byte just after the NDEF TLV (or the terminator), which is how
    /// much of the data area a reader needed.
    public let usedLength: Int

    /// Parses a whole data area (or a prefix long enough to hold the NDEF TLV).
    ///
    /// - Throws: ``CardProtocolError/truncated`` when a TLV runs past the bytes given,
    ///   ``CardProtocolError/invalidValue`` for a control TLV that is not 3 bytes or a reserved length.
    public init(parsing dataArea: [UInt8]) throws(CardProtocolError) {
        switch try Self.scan(dataArea, isComplete: true) {
        case .parsed(let memory): self = memory
        case .needsBytes(_, let reason): throw .truncated(reason)
        }
    }

    init(lockControls: [LockControl], memoryControls: [MemoryControl], ndef: [UInt8]?, hasNDEFTLV: Bool, used: Int) {
        self.lockControls = lockControls
        self.memoryControls = memoryControls
        self.ndefMessage = ndef
        self.hasNDEFTLV = hasNDEFTLV
        self.usedLength = used
    }

    enum ScanResult {
        case parsed(Type2TagMemory)
        /// The bytes end inside a TLV; at least `count` bytes are needed to go on.
        case needsBytes(count: Int, reason: String)
    }

    /// Walks the TLVs until the NDEF TLV or the terminator. `isComplete` says whether the bytes are the
    /// whole data area, in which case running out of bytes without a TLV means there is no NDEF TLV.
    static func scan(_ bytes: [UInt8], isComplete: Bool) throws(CardProtocolError) -> ScanResult {
        var locks: [LockControl] = []
        var memories: [MemoryControl] = []
        var offset = 0
        while offset < bytes.count {
            let tag = bytes[offset]
            switch tag {
            case 0x00:
                offset += 1
                continue
            case 0xFE:
                return .parsed(Type2TagMemory(
                    lockControls: locks, memoryControls: memories, ndef: nil, hasNDEFTLV: false, used: offset + 1))
            default:
                break
            }
            let name = tag == 0x03 ? "NDEF TLV" : "TLV \(hexString(tag))"
            guard offset + 1 < bytes.count else {
                return .needsBytes(count: offset + 2, reason: "\(name) at offset \(offset) has no length byte")
            }
            var length = Int(bytes[offset + 1])
            var valueStart = offset + 2
            if length == 0xFF {
                guard offset + 3 < bytes.count else {
                    return .needsBytes(
                        count: offset + 4, reason: "\(name) at offset \(offset) has a 3-byte length cut short")
                }
                length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                valueStart = offset + 4
                guard length != 0xFFFF else {
                    throw .invalidValue("\(name) at offset \(offset) has the reserved length FFFF")
                }
            }
            guard valueStart + length <= bytes.count else {
                return .needsBytes(
                    count: valueStart + length,
                    reason: "\(name) at offset \(offset) declares \(length) bytes, only \(bytes.count - valueStart) present")
            }
            let value = Array(bytes[valueStart..<valueStart + length])
            switch tag {
            case 0x01, 0x02:
                guard length == 3 else {
                    throw .invalidValue("\(tag == 0x01 ? "Lock" : "Memory") Control TLV at offset \(offset) has \(length) bytes, expected 3")
                }
                if tag == 0x01 { locks.append(LockControl(value: value)) } else { memories.append(MemoryControl(value: value)) }
            case 0x03:
                return .parsed(Type2TagMemory(
                    lockControls: locks, memoryControls: memories, ndef: length == 0 ? nil : value, hasNDEFTLV: true,
                    used: valueStart + length))
            default:
                break  // FD proprietary and reserved TLVs are skipped by their length, as the spec asks.
            }
            offset = valueStart + length
        }
        if isComplete {
            return .parsed(Type2TagMemory(
                lockControls: locks, memoryControls: memories, ndef: nil, hasNDEFTLV: false, used: bytes.count))
        }
        return .needsBytes(count: bytes.count + 1, reason: "data area ends at \(bytes.count) bytes before an NDEF TLV")
    }
}

extension Type2TagMemory {
    /// The data area bytes for an NDEF message: the NDEF TLV (3-byte length form from 255 bytes on) and a
    /// terminator TLV, unpadded. The terminator is left out only when the TLV fills the capacity exactly.
    ///
    /// - Parameter capacity: the tag's data area size (``Type2CapabilityContainer/dataAreaSize``).
    /// - Throws: ``CardProtocolError/limitExceeded`` when the message does not fit.
    public static func dataArea(forNDEF message: [UInt8], capacity: Int) throws(CardProtocolError) -> [UInt8] {
        guard message.count <= 0xFFFE else {
            throw .limitExceeded("NDEF message of \(message.count) bytes exceeds the Type 2 TLV maximum of 65534")
        }
        var bytes: [UInt8] = [0x03]
        if message.count < 0xFF {
            bytes.append(UInt8(message.count))
        } else {
            bytes += [0xFF, UInt8(message.count >> 8), UInt8(message.count & 0xFF)]
        }
        bytes += message
        guard bytes.count <= capacity else {
            throw .limitExceeded("NDEF message of \(message.count) bytes does not fit a tag with \(capacity) bytes")
        }
        if bytes.count < capacity { bytes.append(0xFE) }
        return bytes
    }
}
