import CardSimulator
import Foundation
import PCSC
import ReaderService
import Testing

/// Everything that runs against the real stack: pcscd + vpcd virtual readers + the card simulator.
/// One serialized parent: the tests share the rig's readers, and some restart pcscd.
@Suite(.serialized)
enum RigSuite {}

extension RigSuite {
@Suite
struct ReaderRigTests {
    init() throws { try Rig.ensureStarted() }

    /// A card that stays until the reader has been quiet for a moment, like a customer waiting for the beep;
    /// 400 ms of quiet, not less: a test machine busy with other suites can pause a read that long.
    static let tapUntilRead = RemovalPolicy.whenIdle(idle: .milliseconds(400), maximumDwell: .seconds(4))

    static func ntag(_ uidHex: String, model: NTAGModel = .ntag215) throws -> NTAGTag {
        try NTAGTag(model: model, uid: TagUID(hex: uidHex))
    }

    @Test("pcscd lists the rig's four readers")
    func readersListed() async throws {
        let names = try await CardAccess(name: "test").readerNames()
        for index in 0..<4 { #expect(names.contains(Rig.readerName(index)), "missing \(Rig.readerName(index)) in \(names)") }
    }

    @Test("a tap is detected, its UID read, and a blank tag's memory checked in one more APDU")
    func tapReadsUID() async throws {
        let service = Rig.makeService()
        defer { service.stop() }
        let recorder = EventRecorder()
        _ = recorder.follow(service)
        let kiosk = Rig.readerName(0)
        #expect(await recorder.next { $0.readerEvent == .readerAdded(kiosk) } != nil)

        let report = try await Rig.reader(0).tap(try Self.ntag("04A1B2C3D4E5F6"), removal: Self.tapUntilRead)
        let tap = try #require(await recorder.next { $0.tap?.reader == kiosk }?.tap)
        #expect(tap.succeeded, "\(tap.failure ?? "")")
        #expect(tap.identifiers.cardUID == "04A1B2C3D4E5F6")
        #expect(tap.technology.contains("Type 2"))
        #expect(tap.atr == "3B8F8001804F0CA0000003060300030000000068")
        #expect(tap.apduCount == 2)
        #expect(report.exchanges.map(\.command) == [[0xFF, 0xCA, 0x00, 0x00, 0x00], [0xFF, 0xB0, 0x00, 0x03, 0x10]])
    }

    @Test("50 taps in a row on one reader: none missed, each UID read in order")
    func fiftyTapsNoneMissed() async throws {
        let service = Rig.makeService()
        defer { service.stop() }
        let recorder = EventRecorder()
        _ = recorder.follow(service)
        let till = Rig.readerName(1)
        #expect(await recorder.next { $0.readerEvent == .readerAdded(till) } != nil)

        var expected: [String] = []
        for number in 0..<50 {
            let uid = String(format: "04C0FFEE%06X", number)
            expected.append(uid)
            let before = await recorder.count
            _ = try await Rig.reader(1).tap(try Self.ntag(uid, model: .ntag213), removal: Self.tapUntilRead)
            // The next card may only come once pcscd has seen this one leave, as with a real reader.
            let removed = await recorder.next(after: before) { $0.readerEvent == .cardRemoved(reader: till) }
            #expect(removed != nil, "tap \(number): pcscd never reported the card gone")
        }
        let taps = await recorder.taps(on: till)
        #expect(taps.count == 50)
        #expect(taps.filter { !$0.succeeded }.isEmpty)
        #expect(taps.map { $0.identifiers.cardUID ?? "-" } == expected)
    }

    @Test("a stopped monitor reports no card that comes after the stop, wherever the stop lands")
    func stoppedMonitorStaysQuiet() async throws {
        // SCardCancel wakes only a wait already blocked. A stop landing while the monitor thread is connecting to
        // pcscd or listing readers left it watching for one more poll; it reported the next card, and a stopped
        // reader service read that card while the next service did (their APDUs interleaved on one card). The
        // stops here land at spread moments of the thread's start-up, some of them inside that window.
        let access = CardAccess(name: "test")
        let reader = Rig.readerName(1)
        var reported: [String] = []
        for round in 0..<10 {
            // Each monitor must start on an empty reader: a card it saw before the stop may be reported.
            for _ in 0..<100 where try await access.snapshot().contains(where: { $0.name == reader && $0.isCardPresent }) {
                try await Task.sleep(for: .milliseconds(20))
            }
            let monitor = ReaderMonitor()
            try await Task.sleep(for: .microseconds(150 * round))
            monitor.stop()
            let drained = Task {
                var events: [ReaderEvent] = []
                for await event in monitor.events { events.append(event) }
                return events
            }
            _ = try await Rig.reader(1).tap(try Self.ntag("04C0FFEE5709ED"), removal: .afterDwell(.milliseconds(1200)))
            let timeout = Task { try await Task.sleep(for: .seconds(5)); drained.cancel() }
            let events = await drained.value
            timeout.cancel()
            reported += events.filter { if case .cardInserted = $0 { true } else { false } }.map { "round \(round): \($0)" }
        }
        #expect(reported.isEmpty, "events after stop(): \(reported)")
    }

    @Test("a card pulled out in the middle of a read gives a clean error, and the next tap reads")
    func cardRemovedMidRead() async throws {
        let service = Rig.makeService()
        defer { service.stop() }
        let recorder = EventRecorder()
        _ = recorder.follow(service)
        let reader = Rig.readerName(2)
        #expect(await recorder.next { $0.readerEvent == .readerAdded(reader) } != nil)

        let report = try await Rig.reader(2).tap(
            try Self.ntag("04DEAD00BEEF01"), removal: .duringCommand(number: 1, maximumDwell: .seconds(3)))
        #expect(report.removalReason == .pulledDuringCommand)
        let failed = try #require(await recorder.next { $0.tap?.reader == reader }?.tap)
        #expect(!failed.succeeded)
        #expect(failed.failure?.contains("left the reader") == true, "\(failed.failure ?? "no failure")")
        #expect(failed.identifiers.isEmpty)

        #expect(await recorder.next { $0.readerEvent == .cardRemoved(reader: reader) } != nil)
        let count = await recorder.count
        _ = try await Rig.reader(2).tap(try Self.ntag("04DEAD00BEEF02"), removal: Self.tapUntilRead)
        let next = await recorder.next(after: count) { $0.tap?.reader == reader }?.tap
        let recent = await recorder.events.suffix(8)
        #expect(next?.identifiers.cardUID == "04DEAD00BEEF02", "events: \(recent)")
    }

    @Test("pcscd killed and restarted: the monitor recovers and reads the next tap")
    func recoversFromPCSCDRestart() async throws {
        let service = Rig.makeService()
        defer { service.stop() }
        let recorder = EventRecorder()
        _ = recorder.follow(service)
        let reader = Rig.readerName(3)
        #expect(await recorder.next { $0.readerEvent == .readerAdded(reader) } != nil)

        try Rig.script("kill")
        let lost = await recorder.next {
            if case .reader(.serviceUnavailable) = $0 { true } else { false }
        }
        #expect(lost != nil, "the monitor did not notice pcscd going away")
        #expect(await recorder.next { $0.readerEvent == .readerRemoved(reader) } != nil)

        let beforeRestart = await recorder.count
        try Rig.script("start")
        #expect(await recorder.next(after: beforeRestart) { $0.readerEvent == .serviceAvailable } != nil)
        #expect(await recorder.next(after: beforeRestart) { $0.readerEvent == .readerAdded(reader) } != nil)

        _ = try await Rig.reader(3).tap(try Self.ntag("04AB12CD34EF56"), removal: Self.tapUntilRead)
        let tap = try #require(await recorder.next(after: beforeRestart) { $0.tap?.reader == reader }?.tap)
        #expect(tap.identifiers.cardUID == "04AB12CD34EF56")
    }

    @Test("a reader that appears while the service runs is picked up and read")
    func newReaderPickedUp() async throws {
        let service = Rig.makeService()
        defer { service.stop() }
        let recorder = EventRecorder()
        _ = recorder.follow(service)
        #expect(await recorder.next { $0.readerEvent == .readerAdded(Rig.readerName(0)) } != nil)
        let newReader = Rig.readerName(4)

        try Rig.script("restart", "--extra")
        defer { _ = try? Rig.script("restart") }
        #expect(await recorder.next { $0.readerEvent == .readerAdded(newReader) } != nil, "reader 4 never appeared")

        _ = try await Rig.reader(4).tap(try Self.ntag("04FACE0FF1CE00"), removal: Self.tapUntilRead)
        let tap = try #require(await recorder.next { $0.tap?.reader == newReader }?.tap)
        #expect(tap.identifiers.cardUID == "04FACE0FF1CE00")
    }
}
}
