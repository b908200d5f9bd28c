import ArgumentParser
import Foundation
import HeadOffice

/// `parcours hq manager …`: the people who sign in to the dashboard.
struct HQManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager", abstract: "Add, re-key, disable and list head-office managers (dashboard sign-in).",
        subcommands: [Add.self, Password.self, Disable.self, List.self])

    /// The password from PARCOURS_HQ_MANAGER_PASSWORD, or the first line of standard input: never an argument,
    /// which would land in the shell history and the process list.
    static func password() throws -> String {
        if let password = ProcessInfo.processInfo.environment["PARCOURS_HQ_MANAGER_PASSWORD"], !password.isEmpty { return password }
        FileHandle.standardError.write(Data("password (12 characters or more): ".utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password: set PARCOURS_HQ_MANAGER_PASSWORD or type it on standard input")
        }
        return line
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a manager; the password comes from PARCOURS_HQ_MANAGER_PASSWORD or standard input.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Sign-in id, e.g. alice.") var id: String
        @Option(help: "Full name, shown in the dashboard.") var name: String

        func run() async throws {
            let (id, name, password) = (id, name, try HQManagerCommand.password())
            try await options.withDatabase { try await $0.addManager(id: id, name: name, password: password) }
            print("manager '\(id)' added: sign in at /dashboard on a head-office node")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password (ends the manager's open sessions).")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Sign-in id.") var id: String

        func run() async throws {
            let (id, password) = (id, try HQManagerCommand.password())
            try await options.withDatabase { try await $0.setManagerPassword(id: id, password: password) }
            print("password of '\(id)' changed; their sessions are closed")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a manager from now on (ends their sessions).")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "Sign-in id.") var id: String

        func run() async throws {
            let id = id
            try await options.withDatabase { try await $0.disableManager(id: id) }
            print("manager '\(id)' disabled")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List managers.")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            for manager in try await options.withDatabase({ try await $0.managers() }) {
                print("\(manager.id)\t\(manager.name)\t\(manager.disabled ? "disabled" : "active")")
            }
        }
    }
}

/// `parcours hq report …`: the store report on the command line, and the aggregates' upkeep.
struct HQReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print a store report (CSV or JSON), or rebuild the report aggregates.",
        subcommands: [Show.self, Rebuild.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A store, region or chain report for a period, by day, week or month.")
        @OptionGroup var options: HeadOfficeOptions
        @Option(help: "First day, YYYY-MM-DD.") var from: String
        @Option(help: "Last day, YYYY-MM-DD (inclusive).") var to: String
        @Option(help: "day, week, month, quarter or year.") var by = "day"
        @Option(help: "One store's id (default: the whole chain).") var store: String?
        @Option(help: "A region (stores added with --region).") var region: String?
        @Flag(help: "JSON instead of CSV.") var json = false

        func run() async throws {
            guard let grain = ReportGrain(rawValue: by) else { throw ValidationError("--by must be day, week, month, quarter or year") }
            if store != nil && region != nil { throw ValidationError("give --store or --region, not both") }
            let scope: ReportScope = store.map { .store($0) } ?? region.map { .region($0) } ?? .chain
            let period: ReportPeriod
            do {
                period = try ReportPeriod(from: try ReportDay(parsing: from, field: "--from"), to: try ReportDay(parsing: to, field: "--to"))
            } catch let error as HeadOfficeError {
                throw ValidationError(error.description)
            }
            let report = try await options.withDatabase { try await $0.storeReport(scope: scope, period: period, by: grain) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.csv, terminator: "")
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute every report aggregate from the raw rows (after a restore; no figure changes otherwise).")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            try await options.withDatabase { try await $0.rebuildReports() }
            print("report aggregates rebuilt")
        }
    }
}

/// `parcours hq segments …`: RFM scores and campaign exports.
struct HQSegmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments", abstract: "Refresh and list RFM segments; export a segment's members for a campaign.",
        subcommands: [Refresh.self, Show.self, Export.self], defaultSubcommand: Show.self)

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-score every live customer now (nodes also do it every hour).")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            guard let overview = try await options.withDatabase({ try await $0.refreshSegments() }) else {
                throw ValidationError("another node is refreshing the segments right now; try again in a minute")
            }
            Show.print(overview)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Segment sizes as of the last refresh.")
        @OptionGroup var options: HeadOfficeOptions

        func run() async throws {
            Self.print(try await options.withDatabase { try await $0.segmentOverview() })
        }

        static func print(_ overview: SegmentOverview) {
            Swift.print("refreshed \(overview.refreshedAt.map { "\($0)" } ?? "never"): \(overview.customers) customer(s)")
            for segment in overview.segments {
                Swift.print("\(segment.name)\t\(segment.customers)\t(\(segment.churnRisk) at risk of churning)")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A segment's members as CSV; with --purpose, only those who said yes to it.")
        @OptionGroup var options: HeadOfficeOptions
        @Argument(help: "The segment, e.g. \"At Risk\".") var segment: String
        @Option(help: "marketingEmail or marketingSMS: keep only people whose latest answer is yes and who have that contact.") var purpose: String?

        func run() async throws {
            let (segment, purpose) = (segment, purpose)
            let members = try await options.withDatabase { try await $0.segmentMembers(segment, purpose: purpose) }
            print(SegmentMember.csv(members), terminator: "")
        }
    }
}
