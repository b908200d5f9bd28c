import CardSimulator
import Testing

@Suite("Tag UIDs and their check bytes")
struct TagUIDTests {
    @Test(arguments: [
        ("04A1B2C3D4E5F6", UInt8(0x9F), UInt8(0x04)),
        ("04DE5F1EACC040", UInt8(0x0D), UInt8(0x32)),  // the AN12196 SUN example tag
        ("04958CAA5C5E80", UInt8(0x95), UInt8(0x28)),
        ("00000000000000", UInt8(0x88), UInt8(0x00)),
    ])
    func checkBytes(_ uid: String, bcc0: UInt8, bcc1: UInt8) throws {
        let tagUID = try TagUID(hex: uid)
        #expect(tagUID.bcc0 == bcc0)
        #expect(tagUID.bcc1 == bcc1)
        let tag = try NTAGTag(model: .ntag215, uid: tagUID)
        #expect(tag.page(0)?[3] == bcc0)
        #expect(tag.page(2)?[0] == bcc1)
        #expect(tag.respond(to: bytes("FF CA 00 00 00")) == tagUID.bytes + [0x90, 0x00])
    }

    @Test func separatorsAreAccepted() throws {
        #expect(try TagUID(hex: "04:a1:b2:c3:d4:e5:f6") == TagUID.sample)
        #expect(try TagUID(hex: "04 A1 B2 C3 D4 E5 F6").description == "04A1B2C3D4E5F6")
    }

    @Test(arguments: ["04A1B2C3D4E5", "04A1B2C3D4E5F607", "", "04A1B2C3D4E5F", "04A1B2C3D4E5GG", "88A1B2C3D4E5F6"])
    func badUIDsAreRefused(_ text: String) {
        #expect(throws: CardSimulatorError(.invalidUID, "")) { try TagUID(hex: text) }
    }

    @Test func messagesSayWhatWasWrong() {
        #expect(throws: CardSimulatorError.self) { try TagUID(hex: "04A1") }
        do {
            _ = try TagUID(hex: "04A1")
        } catch {
            #expect(error.message.contains("7 bytes"))
        }
        do {
            _ = try TagUID(hex: "04ZZ")
        } catch {
            #expect(error.message.contains("'Z' is not a hex digit"))
        }
    }
}
