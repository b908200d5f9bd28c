import CardSimulator
import Testing

/// The card side of the vpcd protocol against a local listener that plays vpcd: framing, control
/// codes, removal policies and failures, without pcscd.
@Suite("vpcd session against a local listener")
struct VPCDSessionTests {
    static let uidAnswer = bytes("04 A1 B2 C3 D4 E5 F6 90 00")

    @Test func answersControlCodesAndAPDUsAndReportsThem() async throws {
        let vpcd = try FakeVPCD()
        let tag = try NTAGTag(model: .ntag213)
        let reader = VirtualReader(port: vpcd.port)
        async let inserted = reader.insert(tag)
        let peer = try await vpcd.accept()
        let field = try await inserted

        #expect(try await peer.exchange([0x04]) == NTAGTag.storageCardATR)
        try await peer.send([0x01])  // power on: no answer
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        #expect(try await peer.exchange(bytes("FF D6 00 04 04 01 02 03 04")) == bytes("90 00"))
        try await peer.send([0x00])  // power off: no answer
        #expect(try await peer.exchange([0x04]) == NTAGTag.storageCardATR)

        #expect(field.isInField)
        let report = await field.remove()
        #expect(try await peer.receive() == nil, "the card left: the connection is closed")
        #expect(!field.isInField)
        #expect(report.removalReason == .requested)
        #expect(report.reader == reader)
        #expect(report.exchanges.map(\.command) == [bytes("FF CA 00 00 00"), bytes("FF D6 00 04 04 01 02 03 04")])
        #expect(report.exchanges.map(\.number) == [1, 2])
        #expect(report.statusWords == [0x9000, 0x9000])
        #expect(report.controlEvents.map(\.control) == [.getATR, .powerOn, .powerOff, .getATR])
        #expect(report.wasNoticedByReader)
        #expect(report.exchanges[0].receivedAt >= report.connectedAt)
        #expect(report.removedAt >= report.exchanges[1].receivedAt)
        #expect(tag.page(4) == bytes("01 02 03 04"))
    }

    @Test func powerOnStartsANewActivation() async throws {
        let vpcd = try FakeVPCD()
        let tag = try NTAGTag(model: .ntag213)
        try tag.protect(password: bytes("11 22 33 44"), acknowledge: bytes("00 01"), firstProtectedPage: 4, protectReads: false)
        async let inserted = VirtualReader(port: vpcd.port).insert(tag)
        let peer = try await vpcd.accept()
        let field = try await inserted
        #expect(try await peer.exchange(bytes("FF 00 00 00 07 D4 42 1B 11 22 33 44")) == bytes("D5 43 00 00 01 90 00"))
        #expect(tag.isAuthenticated)
        try await peer.send([0x02])  // reset
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        #expect(!tag.isAuthenticated)
        await field.remove()
    }

    @Test func framesSplitAcrossWritesAreReassembled() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()
        let field = try await inserted
        for piece in [[0x00], [0x05, 0xFF, 0xCA], [0x00], [0x00, 0x00]] as [[UInt8]] {
            try await peer.sendRaw(piece)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await peer.receive() == Self.uidAnswer)
        await field.remove()
    }

    @Test func largestFrameIsReadAndAnswered() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()
        let field = try await inserted
        let command = [0xFF, 0xD6, 0x00, 0x04] + [UInt8](repeating: 0xAA, count: 65_531)
        #expect(try await peer.exchange(command) == bytes("67 00"))
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer, "still in step after the big frame")
        await field.remove()
    }

    @Test func removedAfterAnsweringNCommands() async throws {
        let vpcd = try FakeVPCD()
        async let tapped = VirtualReader(port: vpcd.port).tap(
            try NTAGTag(model: .ntag213), removal: .afterAnswering(commands: 2, maximumDwell: .seconds(5)))
        let peer = try await vpcd.accept()
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        #expect(try await peer.exchange(bytes("FF B0 00 00 04")) == bytes("04 A1 B2 9F 90 00"))
        #expect(try await peer.receive() == nil)
        let report = try await tapped
        #expect(report.removalReason == .answeredCommandLimit)
        #expect(report.exchanges.count == 2)
    }

    @Test func pulledOutDuringACommandLeavesItUnanswered() async throws {
        let vpcd = try FakeVPCD()
        async let tapped = VirtualReader(port: vpcd.port).tap(
            try NTAGTag(model: .ntag213), removal: .duringCommand(number: 3, maximumDwell: .seconds(5)))
        let peer = try await vpcd.accept()
        #expect(try await peer.exchange(bytes("FF B0 00 00 10")) != nil)
        #expect(try await peer.exchange(bytes("FF B0 00 04 10")) != nil)
        #expect(try await peer.exchange(bytes("FF B0 00 08 10")) == nil, "command 3 gets no answer: the card is gone")
        let report = try await tapped
        #expect(report.removalReason == .pulledDuringCommand)
        #expect(report.exchanges.count == 3)
        #expect(report.exchanges.last?.response == nil)
        #expect(report.statusWords == [0x9000, 0x9000, nil])
    }

    @Test func removedWhenIdleAfterTheLastCommand() async throws {
        let vpcd = try FakeVPCD()
        async let tapped = VirtualReader(port: vpcd.port).tap(
            try NTAGTag(model: .ntag213), removal: .whenIdle(idle: .milliseconds(150), maximumDwell: .seconds(10)))
        let peer = try await vpcd.accept()
        // GET ATR polls do not count: only APDUs start the idle clock.
        #expect(try await peer.exchange([0x04]) != nil)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await peer.exchange([0x04]) != nil, "still present: no APDU yet")
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        #expect(try await peer.receive() == nil)
        let report = try await tapped
        #expect(report.removalReason == .idle)
        let idle = report.removedAt - report.exchanges[0].receivedAt
        #expect(idle >= .milliseconds(150))
        #expect(idle < .seconds(5))
    }

    @Test func idleTapStillEndsAtTheMaximumDwell() async throws {
        let vpcd = try FakeVPCD()
        async let tapped = VirtualReader(port: vpcd.port).tap(
            try NTAGTag(model: .ntag213), removal: .whenIdle(idle: .milliseconds(50), maximumDwell: .milliseconds(200)))
        let peer = try await vpcd.accept()
        #expect(try await peer.receive() == nil)
        let report = try await tapped
        #expect(report.removalReason == .maximumDwellElapsed)
        #expect(report.dwell >= .milliseconds(200))
        #expect(!report.wasNoticedByReader)
    }

    @Test func fixedDwell() async throws {
        let vpcd = try FakeVPCD()
        // A dwell long enough that a busy machine still gets its command in before the card leaves.
        async let tapped = VirtualReader(port: vpcd.port).tap(try NTAGTag(model: .ntag213), dwell: .seconds(1))
        let peer = try await vpcd.accept()
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        #expect(try await peer.receive() == nil)
        let report = try await tapped
        #expect(report.removalReason == .dwellElapsed)
        #expect(report.dwell >= .seconds(1))
        #expect(report.dwell < .seconds(6))
    }

    @Test func readerClosingEndsTheTap() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()
        let field = try await inserted
        peer.closeConnection()
        let report = await field.waitUntilRemoved()
        #expect(report.removalReason == .readerClosedConnection)
    }

    @Test func truncatedFrameFailsTheConnectionWithAMessage() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()
        let field = try await inserted
        try await peer.sendRaw([0x00, 0x10, 0xFF, 0xB0])
        peer.closeConnection()
        let report = await field.waitUntilRemoved()
        guard case .connectionFailed(let message) = report.removalReason else {
            Issue.record("expected a connection failure, got \(report.removalReason)")
            return
        }
        #expect(message.contains("middle of a frame"))
    }

    @Test func cancellingATapRemovesTheCard() async throws {
        let vpcd = try FakeVPCD()
        let reader = VirtualReader(port: vpcd.port)
        let tag = try NTAGTag(model: .ntag213)
        let tap = Task { try await reader.tap(tag, removal: .onRequest) }
        let peer = try await vpcd.accept()
        #expect(try await peer.exchange(bytes("FF CA 00 00 00")) == Self.uidAnswer)
        tap.cancel()
        #expect(try await peer.receive() == nil)
        let report = try await tap.value
        #expect(report.removalReason == .requested)
    }

    @Test func noListenerGivesTheRigHint() async throws {
        let port = try FakeVPCD.closedPort()
        await #expect(throws: CardSimulatorError(.noReaderListening, "")) {
            _ = try await VirtualReader(port: port).tap(try NTAGTag(model: .ntag213), dwell: .milliseconds(10))
        }
        do {
            _ = try await VirtualReader(port: port).insert(try NTAGTag(model: .ntag213))
        } catch {
            #expect(error.message == "no virtual reader listening on 127.0.0.1:\(port) — start the rig: hardware/rig/pcscd-rig start")
        }
    }

    /// vpcd writes a frame's length and body separately and does not disable Nagle: without
    /// TCP_NODELAY and a re-armed TCP_QUICKACK on the card's side, each exchange waits ~40–50 ms for
    /// a delayed ACK, every time. The fastest of 100 exchanges tells which: with the options it is well
    /// under a millisecond, with the trap it never goes below the kernel's 40 ms delayed-ACK floor.
    /// (The minimum, not the total: a busy machine slows some exchanges, never all of them.)
    @Test func exchangesDoNotWaitForDelayedACKs() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()
        let field = try await inserted
        let clock = ContinuousClock()
        var fastest = Duration.seconds(60)
        for _ in 0..<100 {
            let elapsed = try await clock.measure { _ = try await peer.exchange(bytes("FF B0 00 04 10")) }
            fastest = min(fastest, elapsed)
        }
        await field.remove()
        #expect(fastest < .milliseconds(20), "the fastest of 100 exchanges took \(fastest): a delayed ACK in every one")
    }

    @Test func manyRemovalRequestsAreHarmless() async throws {
        let vpcd = try FakeVPCD()
        async let inserted = VirtualReader(port: vpcd.port).insert(try NTAGTag(model: .ntag213))
        let peer = try await vpcd.accept()  // held: dropping it would close the reader's side first
        let field = try await inserted
        field.requestRemoval()
        field.requestRemoval()
        let first = await field.remove()
        let second = await field.waitUntilRemoved()
        field.requestRemoval()
        #expect(first == second)
        #expect(first.removalReason == .requested)
        #expect(try await peer.receive() == nil)
    }
}
