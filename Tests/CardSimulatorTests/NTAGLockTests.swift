import CardSimulator
import Testing

/// The chip's own protections: static and dynamic lock bits, block-locking bits, the OTP capability
/// container, CFGLCK, and the password.
@Suite("NTAG21x locks and password")
struct NTAGLockTests {
    @Test func staticLockBitsLockPagesOneByOne() throws {
        let tag = try NTAGTag(model: .ntag213)
        // Lock byte 0 bits 4–7 lock pages 4–7; byte 1 bit 0 locks page 8.
        #expect(tag.respond(to: bytes("FF D6 00 02 04 00 00 F0 01")) == bytes("90 00"))
        #expect(tag.page(2) == bytes("04 48 F0 01"), "BCC1 and the internal byte are not writable")
        for page in 4...8 {
            #expect(tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(page), 0x04, 1, 2, 3, 4]) == bytes("63 00"), "page \(page)")
        }
        #expect(tag.respond(to: bytes("FF D6 00 09 04 01 02 03 04")) == bytes("90 00"))
        #expect(tag.respond(to: bytes("FF B0 00 04 10")).suffix(2) == bytes("90 00")[...], "locked pages stay readable")
    }

    @Test func lockBitsCannotBeCleared() throws {
        let tag = try NTAGTag(model: .ntag213)
        _ = tag.respond(to: bytes("FF D6 00 02 04 00 00 10 00"))
        #expect(tag.respond(to: bytes("FF D6 00 02 04 00 00 00 00")) == bytes("90 00"))
        #expect(tag.page(2)?[2] == 0x10)
        #expect(tag.isLocked(page: 4))
    }

    @Test func blockLockingBitFreezesStaticLockBits() throws {
        let tag = try NTAGTag(model: .ntag213)
        // BL 9-4 (bit 1) first, then try to lock page 4 and page 10.
        _ = tag.respond(to: bytes("FF D6 00 02 04 00 00 02 00"))
        _ = tag.respond(to: bytes("FF D6 00 02 04 00 00 10 04"))
        #expect(!tag.isLocked(page: 4), "L4 is frozen by BL 9-4")
        #expect(tag.isLocked(page: 10), "L10 is not covered by BL 9-4")
    }

    @Test func capabilityContainerIsOneTimeProgrammable() throws {
        let tag = try NTAGTag(model: .ntag213)
        #expect(tag.respond(to: bytes("FF D6 00 03 04 00 00 00 0F")) == bytes("90 00"))
        #expect(tag.page(3) == bytes("E1 10 12 0F"))
        #expect(tag.respond(to: bytes("FF D6 00 03 04 00 00 00 00")) == bytes("90 00"))
        #expect(tag.page(3) == bytes("E1 10 12 0F"), "bits already set stay set")
        // L-CC (bit 3 of lock byte 0) locks the CC.
        _ = tag.respond(to: bytes("FF D6 00 02 04 00 00 08 00"))
        #expect(tag.respond(to: bytes("FF D6 00 03 04 00 00 00 F0")) == bytes("63 00"))
    }

    @Test(arguments: [
        (NTAGModel.ntag213, 17, 18),  // 2 pages per dynamic lock bit
        (NTAGModel.ntag215, 31, 32),  // 16 pages per bit
        (NTAGModel.ntag216, 31, 32),
    ])
    func firstDynamicLockBit(_ model: NTAGModel, lastLocked: Int, firstFree: Int) throws {
        let tag = try NTAGTag(model: model)
        let lockPage = UInt8(model.dynamicLockPage)
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, lockPage, 0x04, 0x01, 0x00, 0x00, 0x00]) == bytes("90 00"))
        #expect(tag.page(model.dynamicLockPage) == bytes("01 00 00 BD"), "byte 3 stays RFUI BD")
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, 16, 0x04, 1, 2, 3, 4]) == bytes("63 00"))
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(lastLocked), 0x04, 1, 2, 3, 4]) == bytes("63 00"))
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(firstFree), 0x04, 1, 2, 3, 4]) == bytes("90 00"))
        #expect(tag.respond(to: [0xFF, 0xD6, 0x00, 15, 0x04, 1, 2, 3, 4]) == bytes("90 00"), "static area untouched")
    }

    @Test func dynamicBlockLockingBitFreezesTwoLockBits() throws {
        let tag = try NTAGTag(model: .ntag213)
        _ = tag.respond(to: bytes("FF D6 00 28 04 00 00 01 00"))  // BL for lock bits 0 and 1
        _ = tag.respond(to: bytes("FF D6 00 28 04 07 00 00 00"))  // try lock bits 0, 1, 2
        #expect(tag.page(0x28) == bytes("04 00 01 BD"))
        #expect(!tag.isLocked(page: 16))
        #expect(tag.isLocked(page: 20))
    }

    @Test(arguments: NTAGModel.allCases)
    func readOnlyTagRefusesEveryWriteButStaysReadable(_ model: NTAGModel) throws {
        let tag = try NTAGTag(model: model)
        tag.makeReadOnly()
        #expect(tag.page(3)?[3] == 0x0F)
        for page in 3...model.lastUserPage {
            #expect(tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(page), 0x04, 1, 2, 3, 4]) == bytes("63 00"), "page \(page)")
        }
        #expect(tag.respond(to: [0xFF, 0xB0, 0x00, UInt8(model.lastUserPage), 0x04]).suffix(2) == bytes("90 00")[...])
        // Locks are frozen too: writing the lock pages changes nothing.
        let before = tag.memory
        _ = tag.respond(to: bytes("FF D6 00 02 04 FF FF FF FF"))
        _ = tag.respond(to: [0xFF, 0xD6, 0x00, UInt8(model.dynamicLockPage), 0x04, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(tag.memory == before)
    }

    @Test func readOnlyLockBytesPerModel() throws {
        let expected: [NTAGModel: String] = [.ntag213: "FF 0F 3F BD", .ntag215: "FF 00 0F BD", .ntag216: "FF 3F 7F BD"]
        for (model, lockPage) in expected {
            let tag = try NTAGTag(model: model)
            tag.makeReadOnly()
            #expect(tag.page(2) == bytes("04 48 FF FF"), "\(model)")
            #expect(tag.page(model.dynamicLockPage) == bytes(lockPage), "\(model)")
        }
    }

    @Test func configurationLockFreezesTheConfigurationPages() throws {
        let tag = try NTAGTag(model: .ntag213)
        #expect(tag.respond(to: bytes("FF D6 00 29 04 04 00 00 FF")) == bytes("90 00"))
        #expect(tag.respond(to: bytes("FF D6 00 2A 04 40 05 00 00")) == bytes("90 00"))  // CFGLCK
        #expect(tag.respond(to: bytes("FF D6 00 29 04 04 00 00 10")) == bytes("63 00"))
        #expect(tag.respond(to: bytes("FF D6 00 2A 04 00 05 00 00")) == bytes("63 00"))
        #expect(tag.respond(to: bytes("FF D6 00 2B 04 01 02 03 04")) == bytes("90 00"), "PWD stays writable")
        #expect(tag.page(0x2B) == bytes("01 02 03 04"))
        #expect(tag.respond(to: bytes("FF B0 00 2B 04")) == bytes("00 00 00 00 90 00"), "PWD reads as zeros")
    }

    @Test func passwordProtectsWritesFromAUTH0() throws {
        let tag = try NTAGTag(model: .ntag213)
        try tag.protect(password: bytes("12 34 56 78"), acknowledge: bytes("AB CD"), firstProtectedPage: 0x10, protectReads: false)
        #expect(tag.respond(to: bytes("FF D6 00 10 04 01 02 03 04")) == bytes("63 00"))
        #expect(tag.respond(to: bytes("FF D6 00 0F 04 01 02 03 04")) == bytes("90 00"))
        #expect(tag.respond(to: bytes("FF B0 00 10 04")) == bytes("00 00 00 00 90 00"), "reads stay open without PROT")
        #expect(tag.respond(to: bytes("FF 00 00 00 07 D4 42 1B 12 34 56 78")) == bytes("D5 43 00 AB CD 90 00"))
        #expect(tag.isAuthenticated)
        #expect(tag.respond(to: bytes("FF D6 00 10 04 01 02 03 04")) == bytes("90 00"))
        tag.powerOn()
        #expect(!tag.isAuthenticated, "a new activation needs the password again")
        #expect(tag.respond(to: bytes("FF D6 00 11 04 01 02 03 04")) == bytes("63 00"))
    }

    @Test func protectedReadsRollOverAtAUTH0() throws {
        let tag = try NTAGTag(model: .ntag213)
        try tag.protect(password: bytes("12 34 56 78"), acknowledge: bytes("AB CD"), firstProtectedPage: 4, protectReads: true)
        #expect(tag.respond(to: bytes("FF B0 00 04 04")) == bytes("63 00"))
        #expect(
            tag.respond(to: bytes("FF B0 00 02 10")) == bytes("04 48 00 00 E1 10 12 00 04 A1 B2 9F C3 D4 E5 F6 90 00"),
            "pages 2, 3, then back to 0 and 1")
        #expect(tag.respond(to: bytes("FF 00 00 00 07 D4 42 1B 00 00 00 00")) == bytes("D5 43 01 90 00"))
        #expect(tag.respond(to: bytes("FF B0 00 04 04")) == bytes("63 00"))
        _ = tag.respond(to: bytes("FF 00 00 00 07 D4 42 1B 12 34 56 78"))
        #expect(tag.respond(to: bytes("FF B0 00 04 04")) == bytes("01 03 A0 0C 90 00"))
    }

    @Test func protectRejectsBadLengths() throws {
        let tag = try NTAGTag(model: .ntag213)
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try tag.protect(password: [1, 2, 3], acknowledge: [1, 2], firstProtectedPage: 4, protectReads: false)
        }
        #expect(throws: CardSimulatorError(.invalidArgument, "")) {
            try tag.protect(password: [1, 2, 3, 4], acknowledge: [1, 2], firstProtectedPage: 256, protectReads: false)
        }
    }
}
