import Foundation
import GRDB
import StoreCore
import Testing
import TestProcesses

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kills a writing process with SIGKILL mid-burst and checks that every write it acknowledged survived, that
/// nothing is half-written, and that the books still add up.
///
/// The child is the hidden `parcours db burst` verb. It must be built next to the test bundle: `make test` builds
/// every product first; in your own runs build the `parcours` product with the same scratch path.
@Suite("Crash durability", .serialized)
struct CrashDurabilityTests {
    struct BurstResult {
        var profileId: String?
        var ackedPurchases: [String: Int64] = [:]
        var ackedVisits: [String] = []
        var ackedFeedback: [String] = []
        var exitedBySignal = false
    }

    static func parcoursBinary() -> URL? { TestProcesses.parcoursBinary() }

    /// Runs a burst and kills it with SIGKILL once `killAfter` acks were read. A watchdog kills it anyway after
    /// 60 s so a hang fails the test instead of stalling it.
    static func burst(_ binary: URL, database: String, run: String, killAfter: Int, extraArguments: [String] = []) throws -> BurstResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["db", "burst", "--database", database, "--store-id", "crash-store", "--count", "100000", "--run", run]
            + extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }

        var result = BurstResult()
        var pending = Data()
        var acks = 0
        var killed = false
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // EOF: the process is gone
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                let words = line.split(separator: " ").map(String.init)
                switch words.first {
                case "profile": result.profileId = words.last
                case "ack" where words.count >= 3 && words[1] == "purchase":
                    result.ackedPurchases[words[2]] = Int64(words.last ?? "")
                    acks += 1
                case "ack" where words.count >= 3 && words[1] == "visit":
                    result.ackedVisits.append(words[2])
                    acks += 1
                case "ack" where words.count >= 3 && words[1] == "feedback":
                    result.ackedFeedback.append(words[2])
                    acks += 1
                default: break
                }
                if acks >= killAfter && !killed {
                    kill(pid, SIGKILL)
                    killed = true
                }
            }
        }
        process.waitUntilExit()
        result.exitedBySignal = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        return result
    }

    @Test("acknowledged writes survive kill -9; nothing is half-written; balances equal the ledger")
    func killNine() async throws {
        let binary = try #require(Self.parcoursBinary(), "build the parcours product next to the tests (make test does)")
        let directory = try TemporaryDirectory()
        let database = directory.path("crash.sqlite")
        var allAcked: [String: Int64] = [:]
        var ackedVisits: [String] = []

        for (round, killAfter) in [(0, 40), (1, 75), (2, 10)] {
            let result = try Self.burst(binary, database: database, run: "round\(round)", killAfter: killAfter)
            #expect(result.exitedBySignal, "round \(round): the burst must die by SIGKILL, not finish or fail")
            #expect(result.ackedPurchases.count + result.ackedVisits.count >= killAfter)
            let profileId = try #require(result.profileId)
            allAcked.merge(result.ackedPurchases) { first, _ in first }
            ackedVisits += result.ackedVisits

            // Reopen as the service would after the crash.
            let store = try await StoreDatabase.open(path: database)
            let report = try await store.check()
            #expect(report.integrity == ["ok"])
            #expect(report.isConsistent, "round \(round): \(report)")

            let queue = try DatabaseQueue(path: database)
            let present = try await queue.read { db in
                try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT receiptId, pointsEarned FROM purchase")
                    .map { (row: Row) -> (String, Int64) in (row["receiptId"], row["pointsEarned"]) })
            }
            let visitIds = try await queue.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM visit")) }
            let ledgerRows = try await queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledgerEntry WHERE reason = 'purchase'") ?? -1
            }
            try queue.close()

            for (receipt, points) in allAcked {
                #expect(present[receipt] == points, "acknowledged purchase \(receipt) must survive")
            }
            for visit in ackedVisits { #expect(visitIds.contains(visit), "acknowledged visit \(visit) must survive") }
            // At most the one write in flight when each kill landed may have committed without its ack: one per
            // round so far, as the rounds share the file.
            #expect(present.count - allAcked.count <= round + 1)
            // Every purchase has its ledger entry, and the balance is the ledger's sum.
            #expect(ledgerRows == present.count)
            let expected = 50 + present.values.reduce(0, +)
            #expect(try await store.balance(profileId: profileId) == expected)
            try store.close()
        }
    }

    @Test("kill -9 while 16 writers' feedback commits in groups: every acknowledged write survives, the outbox has no gap")
    func killNineDuringGroupCommit() async throws {
        let binary = try #require(Self.parcoursBinary(), "build the parcours product next to the tests (make test does)")
        let directory = try TemporaryDirectory()
        let database = directory.path("group.sqlite")
        var acked: [String] = []
        var keptBefore = 0

        for (round, killAfter) in [(0, 300), (1, 1000)] {
            let result = try Self.burst(binary, database: database, run: "round\(round)", killAfter: killAfter,
                                        extraArguments: ["--feedback-writers", "16"])
            #expect(result.exitedBySignal, "round \(round): the burst must die by SIGKILL, not finish or fail")
            #expect(result.ackedFeedback.count >= killAfter)
            acked += result.ackedFeedback

            let store = try await StoreDatabase.open(path: database)
            let report = try await store.check()
            #expect(report.integrity == ["ok"])
            #expect(report.isConsistent, "round \(round): \(report)")
            let queue = try DatabaseQueue(path: database)
            let (present, events) = try await queue.read { db in
                (Set(try String.fetchAll(db, sql: "SELECT id FROM feedback")),
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE type = 'feedback.recorded'") ?? -1)
            }
            try queue.close()
            let lost = acked.filter { !present.contains($0) }
            #expect(lost.isEmpty, "round \(round): \(lost.count) acknowledged feedbacks are missing")
            // Every feedback kept has its one outbox event, whether or not its ack got out before the kill.
            #expect(events == present.count)
            // Each writer waits for one write at a time: at most 16 committed without their ack getting out, per kill
            // (the rows an earlier round kept without an ack are not this round's).
            #expect(present.count - keptBefore - result.ackedFeedback.count <= 16, "round \(round)")
            keptBefore = present.count
            try store.close()
        }
    }
}
