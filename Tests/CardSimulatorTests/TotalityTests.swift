import CardProtocols
import CardSecurity
import CardSimulator
import Testing

/// Every honest card is total: any command bytes, however malformed, get an answer that ends in a
/// status word, and never a crash. (The hostile card breaks that on purpose and is left out.)
@Suite("Every card answers anything")
struct TotalityTests {
    static func cards() throws -> [(String, any VirtualCard)] {
        let template = try SUNURLTemplate(
            "https://p.example/?e={picc}&d={file}&m={mac}", macInputStart: .component(.fileData), fileDataLength: 16)
        let keys = try SUNKeys.fixed(metaReadKeyBytes: SUNKeys.factoryKeyBytes, fileReadKeyBytes: SUNKeys.factoryKeyBytes)
        return [
            ("ntag215", try NTAGTag(model: .ntag215)),
            ("ntag424", try NTAG424Tag(keys: keys, template: template, fileData: Array("0123456789ABCDEF".utf8))),
            ("visa", try EMVCard(profile: .testCard(.visa))),
            ("app", try CardRecipe(kind: .app).makeCard()),
        ]
    }

    /// Class and instruction bytes the cards handle, so random inputs reach every handler.
    static let interesting: [(UInt8, UInt8)] = [
        (0xFF, 0xCA), (0xFF, 0xB0), (0xFF, 0xD6), (0xFF, 0x00), (0x00, 0xA4), (0x00, 0xB0), (0x00, 0xD6),
        (0x80, 0xA8), (0x00, 0xB2), (0x80, 0xCA), (0x80, 0x10), (0x00, 0xC0),
    ]

    @Test func randomCommands() throws {
        for (name, card) in try Self.cards() {
            var generator = SplitMix64(seed: 0xC0FFEE)
            for round in 0..<3_000 {
                if round % 500 == 0 { card.powerOn() }
                let length = Int(generator.next() % 48)
                var command = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if command.count >= 2, generator.next() % 4 != 0 {
                    let (cla, ins) = Self.interesting[Int(generator.next() % UInt64(Self.interesting.count))]
                    command[0] = cla
                    command[1] = ins
                }
                // Some well-formed selections, so later commands run in a selected state.
                if generator.next() % 10 == 0 { command = bytes("00 A4 04 00 07 D2 76 00 00 85 01 01 00") }
                if generator.next() % 10 == 0 { command = bytes("00 A4 04 00 07 A0 00 00 00 03 10 10 00") }
                if generator.next() % 10 == 0 { command = bytes("00 A4 00 0C 02 E1 04") }
                let answer = card.respond(to: command)
                #expect(answer.count >= 2, "\(name) gave no status word to \(hex(command))")
                if answer.count < 2 { return }
            }
        }
    }
}
