import CardProtocols
import CardSecurity
import Foundation
import PCSC

// The issuer's decisions as pure functions of the bytes read from the tag, so they can be tested without one.

/// Pages 0–3 of a Type 2 tag: UID, static lock bytes, capability container.
struct Type2TagHeader: Sendable, Hashable {
    let capabilityContainer: Type2CapabilityContainer
    /// Page 2 bytes 2–3, little-endian: bit n (3…15) locks page n; bits 0–2 are block-locking bits.
    let staticLockBits: UInt16

    /// - Parameter pages: at least the 16 bytes of pages 0–3.
    init(pages: [UInt8]) throws(CardIssueError) {
        guard pages.count >= 16 else {
            throw CardIssueError(.unreadable, "reading pages 0–3 gave \(pages.count) bytes, 16 expected")
        }
        do {
            capabilityContainer = try Type2CapabilityContainer(parsing: Array(pages[12..<16]))
        } catch {
            throw CardIssueError(
                .notNTAG, "the tag is not NDEF-formatted: its capability container (page 3) is \(Array(pages[12..<16]).hexString): \(error.message)")
        }
        staticLockBits = UInt16(pages[10]) | UInt16(pages[11]) << 8
    }

    /// Pages 3–15 whose static lock bit is set (page 3 is the CC itself).
    var staticallyLockedPages: [Int] {
        (3...15).filter { staticLockBits & (1 << UInt16($0)) != 0 }
    }

    /// Refuses a tag that NDEF software must not write (CC write access) or whose chip refuses writes (lock bits).
    func checkWritable() throws(CardIssueError) {
        let cc = capabilityContainer
        if cc.isReadOnly || !cc.isReadable {
            throw CardIssueError(
                .locked,
                "the tag is locked: its capability container's access byte is \([cc.accessByte].hexString) (00 = writable), so it was made read-only")
        }
        let locked = staticallyLockedPages
        if !locked.isEmpty {
            throw CardIssueError(
                .locked,
                "the tag is locked: its static lock bits (page 2: \([UInt8(staticLockBits & 0xFF), UInt8(staticLockBits >> 8)].hexString)) write-protect \(Self.describe(pages: locked))")
        }
    }

    static func describe(pages: [Int]) -> String {
        guard let first = pages.first, let last = pages.last else { return "no page" }
        if pages.count == 1 { return "page \(first)" }
        if last - first + 1 == pages.count { return "pages \(first)–\(last)" }
        return "pages " + pages.map(String.init).joined(separator: ", ")
    }
}

/// Where a tag keeps its dynamic lock bits (pages from 16 on) and how many there are.
struct DynamicLockBits: Sendable, Hashable {
    let page: Int
    /// Byte offset of the first lock byte in `page`.
    let byteOffset: Int
    let bitCount: Int

    /// From the Lock Control TLV when the tag has one that points past the data area (NTAG213 does); else the
    /// NTAG215/216 factory layout for their CC sizes (`3E`, `6D`, whose data areas stop short of the lock
    /// page); else the Type 2 default, right after the data area. `nil` for a tag of 64 bytes or less, which
    /// has no dynamic lock bits.
    static func locate(capabilityContainer cc: Type2CapabilityContainer, memory: Type2TagMemory) -> DynamicLockBits? {
        let dataAreaEnd = 16 + cc.dataAreaSize
        if let lock = memory.lockControls.first, lock.byteAddress >= dataAreaEnd, lock.byteAddress / 4 <= 255 {
            return DynamicLockBits(page: lock.byteAddress / 4, byteOffset: lock.byteAddress % 4, bitCount: min(lock.sizeInBits, 32))
        }
        switch cc.dataAreaSize {
        case 144: return DynamicLockBits(page: 0x28, byteOffset: 0, bitCount: 12)  // NTAG213, Ultralight C
        case 496: return DynamicLockBits(page: 0x82, byteOffset: 0, bitCount: 8)  // NTAG215
        case 872: return DynamicLockBits(page: 0xE2, byteOffset: 0, bitCount: 14)  // NTAG216
        default:
            guard cc.dataAreaSize > 48, dataAreaEnd / 4 <= 255 else { return nil }
            return DynamicLockBits(page: dataAreaEnd / 4, byteOffset: dataAreaEnd % 4, bitCount: min((cc.dataAreaSize - 48 + 7) / 8, 32))
        }
    }

    /// The lock bits set in `bytes`, a read starting at ``page``. Bits past ``bitCount`` (block-locking and
    /// RFUI bits, byte 3's `BD`) do not lock pages and are ignored.
    func setBits(in bytes: [UInt8]) -> [Int] {
        let byteCount = (bitCount + 7) / 8
        guard bytes.count >= byteOffset + byteCount else { return [] }
        var value: UInt32 = 0
        for index in 0..<byteCount { value |= UInt32(bytes[byteOffset + index]) << UInt32(8 * index) }
        return (0..<bitCount).filter { value & (1 << UInt32($0)) != 0 }
    }
}

/// What a tag holds before issuing.
enum Type2TagContent: Sendable, Hashable {
    /// No NDEF message, an empty NDEF TLV, or a message of empty records: free to write.
    case blank
    /// A Parcours card URL for one of our hosts. `cardID` when its signature verified for this tag's UID;
    /// otherwise `problem` says why not (retired key, copied from another tag…).
    case parcoursCard(cardID: LoyaltyCardID?, problem: String?)
    /// Anything else, described without its content (it may be personal).
    case foreign(String)

    static func classify(_ memory: Type2TagMemory, uid: [UInt8], verifier: LoyaltyCardVerifier) -> Type2TagContent {
        guard let bytes = memory.ndefMessage, !bytes.isEmpty else { return .blank }
        let message: NDEFMessage
        do {
            message = try NDEFMessage(parsing: bytes)
        } catch {
            return .foreign("an NDEF TLV of \(bytes.count) bytes that is not a valid NDEF message (\(error.message))")
        }
        if message.records.allSatisfy({ $0.tnf == .empty }) { return .blank }
        guard message.records.count == 1, let uri = message.records[0].uri else {
            return .foreign(describe(message))
        }
        do {
            return .parcoursCard(cardID: try verifier.verify(uri: uri, uid: uid), problem: nil)
        } catch let error as CardSecurityError where error.code == .foreignCard {
            return .foreign(describe(message))
        } catch let error as CardSecurityError {
            return .parcoursCard(cardID: nil, problem: error.message)
        } catch {
            return .parcoursCard(cardID: nil, problem: "\(error)")
        }
    }

    /// "a URL for example.org", "a text record", "an NDEF message of 3 records" — never the content itself.
    static func describe(_ message: NDEFMessage) -> String {
        guard message.records.count == 1, let record = message.records.first else {
            return "an NDEF message of \(message.records.count) records"
        }
        if let uri = record.uri {
            if let host = URLComponents(string: uri)?.host, !host.isEmpty { return "a URL for \(host.prefix(80))" }
            return "a URI record that is not a web address"
        }
        if record.tnf == .wellKnown, record.type == Array("T".utf8) { return "a text record" }
        if let type = record.typeName, !type.isEmpty { return "an NDEF record of type \(type.prefix(60))" }
        return "an NDEF record with TNF \(record.tnf)"
    }
}

/// The bytes to write from page 4 and the order of the page writes.
struct Type2WritePlan: Sendable, Hashable {
    struct PageWrite: Sendable, Hashable {
        let page: UInt8
        let data: [UInt8]
    }

    /// The data area as it must read back once written, from page 4, a whole number of pages.
    let dataArea: [UInt8]
    /// The page writes in order. The first one empties the NDEF TLV (length 00), the last one sets its real
    /// length: a tag pulled away part-way reads as blank, never as a half-written card.
    let writes: [PageWrite]
    /// The NDEF message inside.
    let ndefMessage: [UInt8]

    /// The last page written.
    var lastPage: Int { Int(Type2Tag.firstDataPage) + dataArea.count / Type2Tag.bytesPerPage - 1 }

    /// - Parameters:
    ///   - message: the serialized NDEF message.
    ///   - memory: the tag's TLVs as read; its Lock and Memory Control TLVs are kept in front (NTAG213's factory
    ///     Lock Control TLV), and the bytes of its old content are zeroed.
    /// - Throws: `.tooSmall` when the message does not fit the data area the CC declares.
    static func make(message: [UInt8], capabilityContainer cc: Type2CapabilityContainer, memory: Type2TagMemory) throws(CardIssueError) -> Type2WritePlan {
        var prefix: [UInt8] = []
        for lock in memory.lockControls { prefix += [0x01, 0x03] + lock.value }
        for reserved in memory.memoryControls { prefix += [0x02, 0x03] + reserved.value }
        let capacity = cc.dataAreaSize - prefix.count
        let tlv: [UInt8]
        do {
            tlv = try Type2TagMemory.dataArea(forNDEF: message, capacity: capacity)
        } catch {
            let needed = message.count + (message.count < 0xFF ? 2 : 4)
            let controls = prefix.isEmpty ? "" : " (\(capacity) after its \(prefix.count) bytes of control TLVs)"
            throw CardIssueError(
                .tooSmall,
                "the tag is too small: the card's URL needs \(needed) bytes of NDEF data area, its capability container declares \(cc.dataAreaSize)\(controls)")
        }
        var area = prefix + tlv
        guard Int(Type2Tag.firstDataPage) + (cc.dataAreaSize + 3) / 4 - 1 <= 255 else {
            throw CardIssueError(.notNTAG, "the tag's \(cc.dataAreaSize)-byte data area reaches past page 255, which needs SECTOR SELECT: not an NTAG21x")
        }
        // The old content up to its terminator (one byte after the NDEF TLV) is zeroed.
        let used = min(max(area.count, memory.usedLength + 1), cc.dataAreaSize)
        let pageBytes = (used + Type2Tag.bytesPerPage - 1) / Type2Tag.bytesPerPage * Type2Tag.bytesPerPage
        area += [UInt8](repeating: 0, count: pageBytes - area.count)

        let firstPage = Int(Type2Tag.firstDataPage)
        let pages = stride(from: 0, to: area.count, by: Type2Tag.bytesPerPage).map { offset in
            PageWrite(page: UInt8(firstPage + offset / Type2Tag.bytesPerPage), data: Array(area[offset..<offset + Type2Tag.bytesPerPage]))
        }
        let lengthOffset = prefix.count + 1
        let lengthIndex = lengthOffset / Type2Tag.bytesPerPage
        var emptied = pages[lengthIndex].data
        emptied[lengthOffset % Type2Tag.bytesPerPage] = 0x00
        var writes = [PageWrite(page: pages[lengthIndex].page, data: emptied)]
        writes += pages.enumerated().filter { $0.offset != lengthIndex }.map(\.element)
        writes.append(pages[lengthIndex])
        return Type2WritePlan(dataArea: area, writes: writes, ndefMessage: message)
    }
}
