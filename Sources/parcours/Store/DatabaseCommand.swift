import ArgumentParser
import Foundation
import StoreCore

/// `parcours db check|backup|restore` (and the hidden `burst` used by the crash test).
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check, back up and restore the store database.",
        subcommands: [Check.self, Backup.self, Restore.self, Burst.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check file integrity, ledger against purchases/refunds/redemptions, and outbox sequence (exit 1 if not consistent).")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let report = try await store.open().check()
            if json {
                try StoreJSON.print(report)
            } else {
                print("integrity:        \(report.integrity.prefix(5).joined(separator: "; "))")
                print("foreign keys:     \(report.foreignKeyViolations == 0 ? "ok" : "\(report.foreignKeyViolations) violations")")
                print("ledger:           \(report.ledgerMismatches.isEmpty ? "ok" : "\(report.ledgerMismatches.count) mismatches")")
                for mismatch in report.ledgerMismatches.prefix(20) {
                    print("  profile \(mismatch.profileId) \(mismatch.reason.rawValue): ledger \(mismatch.ledgerSum), records \(mismatch.recordSum)\(mismatch.note.map { " (\($0))" } ?? "")")
                }
                print("outbox:           \(report.outboxGaps.isEmpty ? "ok" : "gaps \(report.outboxGaps.map { "\($0.from)–\($0.to)" }.joined(separator: ", "))")")
                print("profiles: \(report.profileCount), ledger entries: \(report.ledgerEntryCount), outbox events: \(report.outboxCount) (last sequence \(report.highestSequence))")
                print(report.isConsistent ? "consistent" : "NOT consistent")
            }
            if !report.isConsistent { throw ExitCode(1) }
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the database to FILE while the store keeps running.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Where to write the copy (must not exist yet).") var file: String

        func run() async throws {
            try await store.open().backup(to: file)
            print("backup written to \(file)")
        }
    }

    /// A burst of writes for the crash test: prints one `ack` line per committed write, unbuffered, so that a
    /// parent that kills this process knows exactly which writes were acknowledged.
    struct Burst: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write purchases and taps as fast as possible, printing an ack per commit (crash testing).",
            shouldDisplay: false)

        @Option(help: "The database to write to.") var database: String
        @Option(help: "The store id for a new database.") var storeId: String = "burst-store"
        @Option(help: "How many purchases to write.") var count: Int = 1000
        @Option(help: "A prefix that makes this run's receipt ids unique.") var run: String = "run"
        @Option(help: "Instead of purchases: this many concurrent writers of kiosk feedback, so that writes commit in groups.")
        var feedbackWriters: Int = 0

        func run() async throws {
            let store = try await StoreDatabase.open(path: database, options: .init(storeId: storeId))
            if feedbackWriters > 0 {
                try await feedbackBurst(store)
                return
            }
            let email = "burst@example.com"
            let profileId: String
            if let existing = try await store.findProfiles(.email(email)).first {
                profileId = existing.id
            } else {
                profileId = try await store.signUp(SignUpRequest(firstName: "Burst", email: email, language: "en")).profile.id
            }
            emit("profile \(profileId)")
            for index in 0..<count {
                let receipt = "\(self.run)-\(index)"
                let outcome = try await store.recordPurchase(PurchaseRequest(
                    receiptId: receipt, tillDeviceId: "till-burst", amountMinor: 1000 + Int64(index % 7) * 100,
                    currency: "EUR", profileId: profileId))
                emit("ack purchase \(receipt) \(outcome.pointsEarned)")
                if index % 3 == 0 {
                    let uid = String(format: "04%012X", index)
                    let visit = try await store.recordTap(Tap(identifiers: TapIdentifiers(cardUID: uid), deviceId: "kiosk-burst",
                                                              reader: "burst reader"))
                    emit("ack visit \(visit.visit.id)")
                }
            }
            emit("done")
        }

        /// Each writer records `count` feedbacks one after the other; together they keep the writer busy, so the
        /// commits hold several writes each. One ack per feedback, after its commit returned.
        private func feedbackBurst(_ store: StoreDatabase) async throws {
            let run = self.run, count = self.count
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<feedbackWriters {
                    group.addTask {
                        for index in 0..<count {
                            let feedback = try await store.recordFeedback(
                                score: index % 11, comment: "\(run)-\(writer)-\(index)", language: "en", kioskDeviceId: "kiosk-burst")
                            Self.emit("ack feedback \(feedback.id)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            Self.emit("done")
        }

        private func emit(_ line: String) { Self.emit(line) }

        /// One write(2) per line: lines from concurrent writers never interleave.
        private static func emit(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
