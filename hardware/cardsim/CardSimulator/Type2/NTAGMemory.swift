/// The memory image of an NTAG21x and the rules the chip itself applies to READ and WRITE
/// (NXP NTAG213/215/216 datasheet, sections 8.5 and 10).
///
/// Lock bits follow the datasheet's model: static lock bytes (page 2, bytes 2–3) lock pages 3–15 one
/// by one and carry three block-locking bits that freeze groups of lock bits; dynamic lock bytes lock
/// pages from 16 on in groups (2 pages per bit on NTAG213, 16 on NTAG215/216), and their third byte
/// holds block-locking bits, each freezing two dynamic lock bits. Lock bits, block-locking bits and the
/// capability container are one-time programmable: a write ORs into them.
///
/// The CC's write-access nibble is not enforced here, because the chip does not enforce it: it tells
/// NDEF software not to write. A tag made read-only also sets its lock bits, which the chip does enforce.
struct NTAGMemory: Equatable, Sendable {
    let model: NTAGModel
    private(set) var bytes: [UInt8]

    /// Why the chip NAKs an access; the reader turns every one into `63 00`.
    enum AccessFailure: Error, Equatable {
        case beyondLastPage
        case readOnlyPage
        case lockedPage
        case passwordProtected
        case configurationLocked
        /// A WRITE carries exactly one page of 4 bytes.
        case wrongDataLength
    }

    init(model: NTAGModel, uid: TagUID, userData: [UInt8], capabilityContainerSize: UInt8, capabilityContainerAccess: UInt8) {
        self.model = model
        var bytes = [UInt8](repeating: 0, count: model.pageCount * 4)
        let u = uid.bytes
        bytes.replaceSubrange(0..<12, with: [u[0], u[1], u[2], uid.bcc0, u[3], u[4], u[5], u[6], uid.bcc1, 0x48, 0x00, 0x00])
        bytes.replaceSubrange(12..<16, with: [0xE1, 0x10, capabilityContainerSize, capabilityContainerAccess])
        let userStart = model.firstUserPage * 4
        let copied = min(userData.count, model.userMemorySize)
        bytes.replaceSubrange(userStart..<(userStart + copied), with: userData.prefix(copied))
        bytes.replaceSubrange(model.dynamicLockPage * 4..<(model.dynamicLockPage + 1) * 4, with: [0x00, 0x00, 0x00, 0xBD])
        bytes.replaceSubrange(model.configuration0Page * 4..<(model.configuration0Page + 1) * 4, with: [0x04, 0x00, 0x00, 0xFF])
        bytes.replaceSubrange(model.configuration1Page * 4..<(model.configuration1Page + 1) * 4, with: [0x00, 0x05, 0x00, 0x00])
        bytes.replaceSubrange(model.passwordPage * 4..<(model.passwordPage + 1) * 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        self.bytes = bytes
    }

    func page(_ number: Int) -> [UInt8]? {
        guard (0..<model.pageCount).contains(number) else { return nil }
        return Array(bytes[number * 4..<number * 4 + 4])
    }

    // MARK: Configuration

    /// First page that the password protects.
    var auth0: Int { Int(bytes[model.configuration0Page * 4 + 3]) }
    private var access: UInt8 { bytes[model.configuration1Page * 4] }
    /// ACCESS bit 7: reads are protected too, not only writes.
    var readsNeedPassword: Bool { access & 0x80 != 0 }
    /// ACCESS bit 6: the configuration pages are frozen.
    var configurationLocked: Bool { access & 0x40 != 0 }
    var password: [UInt8] { Array(bytes[model.passwordPage * 4..<model.passwordPage * 4 + 4]) }
    var passwordAcknowledge: [UInt8] { Array(bytes[model.passwordAcknowledgePage * 4..<model.passwordAcknowledgePage * 4 + 2]) }

    // MARK: Lock bits

    /// Static lock bits as one little-endian 16-bit value: bit n locks page n (3–15); bits 0–2 are the
    /// block-locking bits.
    private var staticLockBits: UInt16 { UInt16(bytes[10]) | UInt16(bytes[11]) << 8 }

    /// Dynamic lock bits 0–15 lock page groups from page 16; bits 16–23 are block-locking bits.
    private var dynamicLockBits: UInt32 {
        let base = model.dynamicLockPage * 4
        return UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16
    }

    /// Whether the lock bits forbid writing this page (the password is checked separately).
    func isLocked(page: Int) -> Bool {
        switch page {
        case 0...1: true
        case 3...15: staticLockBits & (1 << UInt16(page)) != 0
        case 16...model.lastUserPage: dynamicLockBits & (1 << UInt32((page - 16) / model.dynamicLockGranularity)) != 0
        case model.configuration0Page, model.configuration1Page: configurationLocked
        default: false
        }
    }

    // MARK: Commands

    /// READ: 16 bytes from `start`, rolling over to page 0 at the end of the accessible memory
    /// (the whole tag, or the pages below AUTH0 when reads need the password and none was given).
    /// PWD and PACK always read as zeros.
    func read(fromPage start: Int, authenticated: Bool) throws(AccessFailure) -> [UInt8] {
        let accessibleEnd = readsNeedPassword && !authenticated ? min(auth0, model.pageCount) : model.pageCount
        guard start >= 0, start < accessibleEnd else {
            throw start >= 0 && start < model.pageCount ? .passwordProtected : .beyondLastPage
        }
        var result: [UInt8] = []
        result.reserveCapacity(16)
        for offset in 0..<4 {
            let page = (start + offset) % accessibleEnd
            if page == model.passwordPage || page == model.passwordAcknowledgePage {
                result += [0, 0, 0, 0]
            } else {
                result += bytes[page * 4..<page * 4 + 4]
            }
        }
        return result
    }

    /// WRITE of one page, with the chip's rules: UID pages are read-only, lock bytes and the CC
    /// are ORed in, locked pages and password-protected pages are refused.
    mutating func write(page: Int, data: [UInt8], authenticated: Bool) throws(AccessFailure) {
        guard data.count == 4 else { throw .wrongDataLength }
        guard page >= 0, page < model.pageCount else { throw .beyondLastPage }
        guard page >= 2 else { throw .readOnlyPage }
        if !authenticated && page >= auth0 { throw .passwordProtected }
        let base = page * 4
        switch page {
        case 2:
            // Bytes 0–1 (BCC1, internal) are ignored; the lock bytes are ORed, except frozen bits.
            var newBits = UInt16(data[2]) | UInt16(data[3]) << 8
            let current = staticLockBits
            if current & 0b001 != 0 { newBits &= ~UInt16(0x0008) }
            if current & 0b010 != 0 { newBits &= ~UInt16(0x03F0) }
            if current & 0b100 != 0 { newBits &= ~UInt16(0xFC00) }
            let merged = current | newBits
            bytes[10] = UInt8(truncatingIfNeeded: merged)
            bytes[11] = UInt8(truncatingIfNeeded: merged >> 8)
        case 3:
            guard !isLocked(page: 3) else { throw .lockedPage }
            for index in 0..<4 { bytes[base + index] |= data[index] }
        case model.dynamicLockPage:
            // Byte 3 and the bits beyond the model's lock and block-locking bits are RFUI; each
            // block-locking bit i freezes lock bits 2i and 2i+1.
            var newBits = (UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16) & model.dynamicLockMask
            let current = dynamicLockBits
            for blockBit in 0..<8 where current & (1 << UInt32(16 + blockBit)) != 0 {
                newBits &= ~(UInt32(0b11) << UInt32(2 * blockBit))
            }
            let merged = current | newBits
            bytes[base] = UInt8(truncatingIfNeeded: merged)
            bytes[base + 1] = UInt8(truncatingIfNeeded: merged >> 8)
            bytes[base + 2] = UInt8(truncatingIfNeeded: merged >> 16)
        default:
            if isLocked(page: page) {
                throw page >= model.configuration0Page ? .configurationLocked : .lockedPage
            }
            bytes.replaceSubrange(base..<base + 4, with: data)
        }
    }

    /// What "make read-only" tools do, applied directly as at personalisation: CC write access `0F`,
    /// every static and dynamic lock bit set, and the block-locking bits that freeze them.
    mutating func makeReadOnly() {
        bytes[15] = 0x0F
        bytes[10] = 0xFF
        bytes[11] = 0xFF
        let merged = model.dynamicLockMask
        let base = model.dynamicLockPage * 4
        bytes[base] = UInt8(truncatingIfNeeded: merged)
        bytes[base + 1] = UInt8(truncatingIfNeeded: merged >> 8)
        bytes[base + 2] = UInt8(truncatingIfNeeded: merged >> 16)
    }
}

extension NTAGMemory {
    /// Writes the password configuration bypassing the access rules, as at personalisation.
    mutating func personalise(password: [UInt8], acknowledge: [UInt8], auth0: UInt8, protectReads: Bool) {
        let passwordBase = model.passwordPage * 4
        bytes.replaceSubrange(passwordBase..<passwordBase + 4, with: password.prefix(4))
        let acknowledgeBase = model.passwordAcknowledgePage * 4
        bytes.replaceSubrange(acknowledgeBase..<acknowledgeBase + 2, with: acknowledge.prefix(2))
        bytes[model.configuration0Page * 4 + 3] = auth0
        let accessIndex = model.configuration1Page * 4
        bytes[accessIndex] = protectReads ? bytes[accessIndex] | 0x80 : bytes[accessIndex] & ~0x80
    }
}
