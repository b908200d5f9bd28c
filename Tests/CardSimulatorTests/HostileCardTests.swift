import CardSimulator
import Testing

@Suite("Hostile cards")
struct HostileCardTests {
    static let select = bytes("00 A4 04 00 07 D2 76 00 00 85 01 01 00")

    @Test func readerCommandsStayHonest() throws {
        for mode in HostileCard.Mode.allCases where mode != .slow {
            let card = try HostileCard(mode: mode)
            #expect(card.respond(to: bytes("FF CA 00 00 00")) == bytes("08 0B AD 01 90 00"), "\(mode)")
            #expect(card.atr == bytes("3B 80 80 01 01"))
        }
    }

    @Test func truncated() throws {
        #expect(try HostileCard(mode: .truncated).respond(to: Self.select) == [0x90])
    }

    @Test func oversizedFillsTheLargestFrame() throws {
        let answer = try HostileCard(mode: .oversized).respond(to: bytes("00 B0 00 00 02"))
        #expect(answer.count == 65_535)
        #expect(answer.suffix(2) == [0x90, 0x00])
    }

    @Test func wrongLengthNeverSettles() throws {
        let card = try HostileCard(mode: .wrongLength)
        var answers: [[UInt8]] = []
        var le: UInt8 = 0x0F
        for _ in 0..<6 {
            let answer = card.respond(to: [0x00, 0xB0, 0x00, 0x00, le])
            answers.append(answer)
            #expect(answer.count == 2 && answer[0] == 0x6C)
            le = answer.last ?? 0
        }
        #expect(Set(answers.map { $0[1] }) == [0x10, 0x20], "obeying 6C never ends")
    }

    @Test func moreDataForever() throws {
        let card = try HostileCard(mode: .moreDataForever)
        #expect(card.respond(to: Self.select) == bytes("61 10"))
        for _ in 0..<3 {
            let answer = card.respond(to: bytes("00 C0 00 00 10"))
            #expect(answer.count == 18)
            #expect(answer.suffix(2) == [0x61, 0x10])
        }
    }

    @Test func nonsenseIsReproducibleFromItsSeed() throws {
        let first = try HostileCard(mode: .nonsense, seed: 42)
        let second = try HostileCard(mode: .nonsense, seed: 42)
        let answers = (0..<50).map { _ in first.respond(to: Self.select) }
        #expect(answers == (0..<50).map { _ in second.respond(to: Self.select) })
        #expect(answers.contains { $0.count < 2 }, "some answers are too short for a status word")
        #expect(answers.allSatisfy { $0.count <= 40 })
        #expect(Set(answers).count > 40)
    }

    @Test func slowWaitsBeforeAnswering() throws {
        let card = try HostileCard(mode: .slow, delay: .milliseconds(120))
        let clock = ContinuousClock()
        var answer: [UInt8] = []
        let elapsed = clock.measure { answer = card.respond(to: Self.select) }
        #expect(answer == bytes("6A 82"))
        #expect(elapsed >= .milliseconds(120))
        #expect(clock.measure { _ = card.respond(to: bytes("FF CA 00 00 00")) } < .milliseconds(100), "the reader answers at once")
    }

    /// A slow card pulled out while it is still thinking: the tap ends as requested, not with an error.
    @Test func slowCardRemovedMidAnswer() async throws {
        let vpcd = try FakeVPCD()
        // Thinking far longer than the 50 ms before the pull, so a busy machine cannot let it answer first.
        async let inserted = VirtualReader(port: vpcd.port).insert(try HostileCard(mode: .slow, delay: .seconds(2)))
        let peer = try await vpcd.accept()
        let field = try await inserted
        try await peer.send(Self.select)
        try await Task.sleep(for: .milliseconds(50))
        let report = await field.remove()
        #expect(report.removalReason == .requested)
        #expect(try await peer.receive() == nil)
    }
}
