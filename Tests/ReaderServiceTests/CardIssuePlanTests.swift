import CardProtocols
import CardSecurity
import Crypto
import Testing

@testable import ReaderService

/// The issuer's decisions from the bytes a tag gives: locks, size, content, and the order of the page writes.
@Suite("Card issuing: lock bits, sizes, content and tear-safe write plans")
struct CardIssuePlanTests {
    static let ntag213CC = try! Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x12, 0x00])
    static let ntag215CC = try! Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x3E, 0x00])
    static let ntag216CC = try! Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x6D, 0x00])
    static let ntag213Factory: [UInt8] = [0x01, 0x03, 0xA0, 0x0C, 0x34, 0x03, 0x00, 0xFE]

    static func dataArea(_ bytes: [UInt8], size: Int) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: size - bytes.count)
    }

    /// Pages 0–3 with the given static lock bytes and CC.
    static func header(lock: (UInt8, UInt8) = (0, 0), cc: [UInt8] = [0xE1, 0x10, 0x12, 0x00]) -> [UInt8] {
        [0x04, 0xA1, 0xB2, 0x9F, 0xC3, 0xD4, 0xE5, 0xF6, 0x04, 0x48, lock.0, lock.1] + cc
    }

    static let keyring = try! LoyaltyCardKeyring(keys: ["k1": SymmetricKey(data: [UInt8](repeating: 7, count: 32))], currentKeyID: "k1")
    static let verifier = try! LoyaltyCardVerifier(keyring: keyring, hosts: ["parcours.example"])
    static let uid: [UInt8] = [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]

    static func cardMessage(uid: [UInt8] = uid, host: String = "parcours.example") throws -> (LoyaltyCardID, [UInt8]) {
        let signer = LoyaltyCardSigner(keyring: keyring)
        let id = signer.makeCardID()
        return (id, try NDEFMessage(records: [.uri(try signer.makeCardURL(host: host, cardID: id, uid: uid))]).serialized())
    }

    /// Applies the first `count` writes of `plan` to a data area image.
    static func apply(_ plan: Type2WritePlan, count: Int, to area: [UInt8]) -> [UInt8] {
        var image = area
        for write in plan.writes.prefix(count) {
            let offset = (Int(write.page) - 4) * 4
            image.replaceSubrange(offset..<offset + 4, with: write.data)
        }
        return image
    }

    // MARK: Header and lock bits

    @Test("a factory header is writable; CC read-only, a static lock bit, or no NDEF format are refused")
    func headerChecks() throws {
        try Type2TagHeader(pages: Self.header()).checkWritable()
        try Type2TagHeader(pages: Self.header(lock: (0x07, 0x00))).checkWritable()  // block-locking bits only

        let readOnly = try #require(throws: CardIssueError.self) { try Type2TagHeader(pages: Self.header(cc: [0xE1, 0x10, 0x12, 0x0F])).checkWritable() }
        #expect(readOnly.code == .locked)
        #expect(readOnly.message.contains("access byte is 0F"))

        let staticLock = try #require(throws: CardIssueError.self) { try Type2TagHeader(pages: Self.header(lock: (0xF0, 0x00))).checkWritable() }
        #expect(staticLock.code == .locked)
        #expect(staticLock.message.contains("pages 4–7"), "\(staticLock.message)")

        let ccLock = try #require(throws: CardIssueError.self) { try Type2TagHeader(pages: Self.header(lock: (0x08, 0x80))).checkWritable() }
        #expect(ccLock.message.contains("pages 3, 15"), "\(ccLock.message)")

        let unformatted = try #require(throws: CardIssueError.self) { try Type2TagHeader(pages: Self.header(cc: [0, 0, 0, 0])) }
        #expect(unformatted.code == .notNTAG)
        #expect(unformatted.message.contains("not NDEF-formatted"))
    }

    @Test("dynamic lock bytes are found for NTAG213 (Lock Control TLV), 215, 216 and the Type 2 default")
    func dynamicLockLocation() throws {
        let ntag213 = try Type2TagMemory(parsing: Self.dataArea(Self.ntag213Factory, size: 144))
        #expect(DynamicLockBits.locate(capabilityContainer: Self.ntag213CC, memory: ntag213) == DynamicLockBits(page: 0x28, byteOffset: 0, bitCount: 12))
        // NTAG213 whose Lock Control TLV was erased: its CC size still says where.
        let bare213 = try Type2TagMemory(parsing: Self.dataArea([0x03, 0x00, 0xFE], size: 144))
        #expect(DynamicLockBits.locate(capabilityContainer: Self.ntag213CC, memory: bare213)?.page == 0x28)
        let blank = try Type2TagMemory(parsing: Self.dataArea([0x03, 0x00, 0xFE], size: 496))
        #expect(DynamicLockBits.locate(capabilityContainer: Self.ntag215CC, memory: blank) == DynamicLockBits(page: 0x82, byteOffset: 0, bitCount: 8))
        #expect(DynamicLockBits.locate(capabilityContainer: Self.ntag216CC, memory: blank) == DynamicLockBits(page: 0xE2, byteOffset: 0, bitCount: 14))
        // Ultralight EV1 (128-byte data area): right after the data area, one bit per 8 bytes beyond 48.
        let ev1 = try Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x10, 0x00])
        #expect(DynamicLockBits.locate(capabilityContainer: ev1, memory: blank) == DynamicLockBits(page: 36, byteOffset: 0, bitCount: 10))
        // 48 bytes (the original Ultralight, or a CC declaring a too-small area): no dynamic lock bits.
        let small = try Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x06, 0x00])
        #expect(DynamicLockBits.locate(capabilityContainer: small, memory: blank) == nil)
    }

    @Test("only the lock bits count: block-locking and RFUI bits (the BD byte) are ignored")
    func dynamicLockBits() {
        let ntag213 = DynamicLockBits(page: 0x28, byteOffset: 0, bitCount: 12)
        #expect(ntag213.setBits(in: [0x00, 0x00, 0x00, 0xBD]).isEmpty)
        #expect(ntag213.setBits(in: [0x00, 0x00, 0xFF, 0xBD]).isEmpty)
        #expect(ntag213.setBits(in: [0x00, 0xF0, 0x00, 0xBD]).isEmpty)
        #expect(ntag213.setBits(in: [0x01, 0x00, 0x00, 0xBD]) == [0])
        #expect(ntag213.setBits(in: [0x00, 0x08, 0x00, 0xBD]) == [11])
        let offset = DynamicLockBits(page: 36, byteOffset: 2, bitCount: 10)
        #expect(offset.setBits(in: [0xFF, 0xFF, 0x00, 0x02]) == [9])
    }

    // MARK: Content

    @Test("blank, empty, foreign and Parcours content are told apart; descriptions never carry the content")
    func contentClassification() throws {
        func memory(_ message: [UInt8]?) throws -> Type2TagMemory {
            let tlv = message.map { [0x03, UInt8($0.count)] + $0 + [0xFE] } ?? [0x03, 0x00, 0xFE]
            return try Type2TagMemory(parsing: Self.dataArea(tlv, size: 496))
        }
        #expect(Type2TagContent.classify(try memory(nil), uid: Self.uid, verifier: Self.verifier) == .blank)
        #expect(Type2TagContent.classify(try memory(try NDEFMessage.empty.serialized()), uid: Self.uid, verifier: Self.verifier) == .blank)
        let nothing = try Type2TagMemory(parsing: [UInt8](repeating: 0, count: 48))
        #expect(Type2TagContent.classify(nothing, uid: Self.uid, verifier: Self.verifier) == .blank)

        let secretPath = "https://example.org/welcome?member=12345-private"
        let foreign = Type2TagContent.classify(
            try memory(try NDEFMessage(records: [.uri(secretPath)]).serialized()), uid: Self.uid, verifier: Self.verifier)
        #expect(foreign == .foreign("a URL for example.org"))
        let text = Type2TagContent.classify(
            try memory(try NDEFMessage(records: [try .text("hello")]).serialized()), uid: Self.uid, verifier: Self.verifier)
        #expect(text == .foreign("a text record"))
        let garbage = Type2TagContent.classify(try memory([0xFF, 0x01]), uid: Self.uid, verifier: Self.verifier)
        guard case .foreign(let why) = garbage else { Issue.record("garbage NDEF is \(garbage)"); return }
        #expect(why.contains("not a valid NDEF message"))

        let (id, ours) = try Self.cardMessage()
        #expect(Type2TagContent.classify(try memory(ours), uid: Self.uid, verifier: Self.verifier) == .parcoursCard(cardID: id, problem: nil))
        // The same card copied onto another tag: ours, but it does not verify.
        let copied = Type2TagContent.classify(try memory(ours), uid: [0x04, 0, 0, 0, 0, 0, 1], verifier: Self.verifier)
        guard case .parcoursCard(nil, let problem?) = copied else { Issue.record("a copied card is \(copied)"); return }
        #expect(problem.contains("signature mismatch"))
    }

    // MARK: Write plans

    @Test("NTAG213: the Lock Control TLV is kept, the message follows, and the writes are tear-safe")
    func ntag213Plan() throws {
        let factory = Self.dataArea(Self.ntag213Factory, size: 144)
        let (_, message) = try Self.cardMessage()
        let plan = try Type2WritePlan.make(
            message: message, capabilityContainer: Self.ntag213CC, memory: try Type2TagMemory(parsing: factory))

        #expect(Array(plan.dataArea.prefix(7)) == [0x01, 0x03, 0xA0, 0x0C, 0x34, 0x03, UInt8(message.count)])
        #expect(Array(plan.dataArea[7..<7 + message.count]) == message)
        #expect(plan.dataArea[7 + message.count] == 0xFE)
        #expect(plan.dataArea.count % 4 == 0)
        #expect(plan.dataArea.count == (7 + message.count + 1 + 3) / 4 * 4)
        let pages = plan.dataArea.count / 4
        #expect(plan.writes.count == pages + 1)
        #expect(Set(plan.writes.map(\.page)) == Set((4..<4 + pages).map(UInt8.init)))
        // The NDEF length byte is byte 6 of the data area: page 5, byte 2. Written empty first, real last.
        #expect(plan.writes.first?.page == 5)
        #expect(plan.writes.first?.data[2] == 0x00)
        #expect(plan.writes.last?.page == 5)
        #expect(plan.writes.last?.data[2] == UInt8(message.count))

        // Pulled away after any number of writes short of all of them, the tag reads as blank.
        for count in 1..<plan.writes.count {
            let image = Self.apply(plan, count: count, to: factory)
            #expect(try Type2TagMemory(parsing: image).ndefMessage == nil, "after \(count) writes")
        }
        let done = Self.apply(plan, count: plan.writes.count, to: factory)
        #expect(try Type2TagMemory(parsing: done).ndefMessage == message)
        #expect(Array(done.prefix(plan.dataArea.count)) == plan.dataArea)
    }

    @Test("reissuing over a longer old card zeroes what the old card used")
    func oldContentIsCleared() throws {
        let old = try NDEFMessage(records: [.uri("https://parcours.example/c/" + String(repeating: "X", count: 150))]).serialized()
        let image = Self.dataArea([0x03, UInt8(old.count)] + old + [0xFE], size: 496)
        let memory = try Type2TagMemory(parsing: image)
        let (_, message) = try Self.cardMessage()
        let plan = try Type2WritePlan.make(message: message, capabilityContainer: Self.ntag215CC, memory: memory)
        #expect(plan.dataArea.count >= memory.usedLength)
        let done = Self.apply(plan, count: plan.writes.count, to: image)
        #expect(done[(2 + message.count + 1)...].allSatisfy { $0 == 0 }, "old bytes survive after the terminator")
        #expect(try Type2TagMemory(parsing: done).ndefMessage == message)
        for count in 1..<plan.writes.count {
            #expect(try Type2TagMemory(parsing: Self.apply(plan, count: count, to: image)).ndefMessage == nil)
        }
    }

    @Test("a message of 255 bytes or more uses the 3-byte length, still emptied first")
    func longMessagePlan() throws {
        let message = try NDEFMessage(records: [.uri("https://parcours.example/" + String(repeating: "a", count: 300))]).serialized()
        let image = Self.dataArea([0x03, 0x00, 0xFE], size: 872)
        let plan = try Type2WritePlan.make(message: message, capabilityContainer: Self.ntag216CC, memory: try Type2TagMemory(parsing: image))
        #expect(Array(plan.dataArea.prefix(4)) == [0x03, 0xFF, UInt8(message.count >> 8), UInt8(message.count & 0xFF)])
        #expect(plan.writes.first?.page == 4)
        #expect(plan.writes.first?.data[1] == 0x00)
        for count in 1..<plan.writes.count {
            #expect(try Type2TagMemory(parsing: Self.apply(plan, count: count, to: image)).ndefMessage == nil)
        }
        #expect(try Type2TagMemory(parsing: Self.apply(plan, count: plan.writes.count, to: image)).ndefMessage == message)
    }

    @Test("a data area too small for the card is refused with the sizes")
    func tooSmall() throws {
        let small = try Type2CapabilityContainer(parsing: [0xE1, 0x10, 0x06, 0x00])
        let memory = try Type2TagMemory(parsing: Self.dataArea(Self.ntag213Factory, size: 48))
        let (_, message) = try Self.cardMessage()
        let error = try #require(throws: CardIssueError.self) {
            try Type2WritePlan.make(message: message, capabilityContainer: small, memory: memory)
        }
        #expect(error.code == .tooSmall)
        #expect(error.message.contains("needs \(message.count + 2) bytes"), "\(error.message)")
        #expect(error.message.contains("declares 48 (43 after its 5 bytes of control TLVs)"), "\(error.message)")

        // The longest host still fits a factory NTAG213 exactly.
        let longest = String(repeating: "h", count: 76) + ".com"
        let signer = LoyaltyCardSigner(keyring: try LoyaltyCardKeyring(keys: ["ABCDEFGH": SymmetricKey(size: .bits256)], currentKeyID: "ABCDEFGH"))
        let url = try signer.makeCardURL(host: longest, cardID: signer.makeCardID(), uid: Self.uid)
        let plan = try Type2WritePlan.make(
            message: try NDEFMessage(records: [.uri(url)]).serialized(), capabilityContainer: Self.ntag213CC,
            memory: try Type2TagMemory(parsing: Self.dataArea(Self.ntag213Factory, size: 144)))
        #expect(plan.dataArea.count == 144)
    }
}
