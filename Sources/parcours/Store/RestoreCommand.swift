import ArgumentParser
import Foundation
import StoreCore

extension DatabaseCommand {
    /// `parcours db restore BACKUP`: put a backup back in place of the store database, with the service stopped.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the store database with a backup (the service must be stopped); the current file is kept next to it.",
            discussion: """
                Refused, changing nothing: a file that is not a Parcours store database, one that fails its integrity \
                check, a backup of another store, one written by a newer release, and any while the database is open \
                (stop parcours-store first). A backup from an older release is migrated. Events written after the \
                backup and never received by head office are lost; those head office received stay there.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The backup file (written by `parcours db backup`).") var backup: String
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if !yes {
                FileHandle.standardError.write(Data("Replace \(store.database) with \(backup)? The current file is kept as a safety copy. [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    FileHandle.standardError.write(Data("not restored\n".utf8))
                    throw ExitCode(1)
                }
            }
            let report = try await StoreDatabase.restore(backup: backup, over: store.database, storeId: store.storeId)
            if json {
                try StoreJSON.print(report)
                return
            }
            print("restored \(backup) into \(store.database) (store \(report.storeId))")
            if let safety = report.safetyCopy { print("the replaced database is kept as \(safety)") }
            if !report.migrationsRun.isEmpty { print("migrated the backup: \(report.migrationsRun.joined(separator: ", "))") }
            print("the backup's last event is sequence \(report.backupHighestSequence) (head office had acknowledged \(report.backupAcknowledgedSequence) when it was made)")
            if let replaced = report.replacedHighestSequence {
                print("the replaced database had reached sequence \(replaced) (acknowledged \(report.replacedAcknowledgedSequence ?? 0))")
            }
            if report.eventsOnlyAtHeadOffice > 0 {
                print("\(report.eventsOnlyAtHeadOffice) event(s) after the backup had reached head office: it keeps them (points, visits, sales), but they are no longer in this store's file")
            }
            if report.eventsLost > 0 {
                print("LOST: \(report.eventsLost) event(s) written after the backup had not reached head office when this store last heard from it; they are gone unless they reached it since")
            } else {
                print("events written after the backup that never reached head office, if any, are gone")
            }
            print("on its next sync the store asks head office where it stands and numbers new events after head office's last")
        }
    }
}
