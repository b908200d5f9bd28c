import ArgumentParser
import Foundation
import HeadOffice

/// `parcours hq import profiles|touchpoints FILE`: customers and their online touchpoints from the e-commerce side.
struct HQImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import digital profiles or touchpoints from a CSV or JSON Lines file (safe to re-run).",
        discussion: """
            Bad rows are listed with their line and what was wrong; the good rows are imported and the exit status is 1.
            A wrong CSV header stops the import before anything is written. See README, "Digital profiles", for the columns.
            """,
        subcommands: [Profiles.self, Touchpoints.self])

    struct Profiles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Customers, upserted by e-commerce id (CSV with a header row, or JSON Lines with touchpoints inline).")
        @OptionGroup var options: HeadOfficeOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws { try await file.run(.profiles, options: options) }
    }

    struct Touchpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Online touchpoints (webVisit, onlineOrder, emailClick) of customers already imported.")
        @OptionGroup var options: HeadOfficeOptions
        @OptionGroup var file: ImportFileOptions

        func run() async throws { try await file.run(.touchpoints, options: options) }
    }
}

extension DigitalImporter.Format: ExpressibleByArgument {}

struct ImportFileOptions: ParsableArguments {
    @Argument(help: "The file to import (.csv or .jsonl).") var path: String
    @Option(help: "csv or jsonl (default: from the file's extension).") var format: DigitalImporter.Format?
    @Option(name: .customLong("batch-size"), help: "Rows per transaction.") var batchSize = 500

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000, got \(batchSize)") }
    }

    func run(_ kind: DigitalImporter.Kind, options: HeadOfficeOptions) async throws {
        let (path, format, batchSize) = (path, format, batchSize)
        let bar = isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil
        let outcome = try await options.withDatabase { database -> Result<DigitalImportReport, HeadOfficeError> in
            do {
                return .success(try await DigitalImporter(database: database, batchSize: batchSize)
                    .importFile(path, kind: kind, format: format) { done, total in bar?.show(done, total) })
            } catch let refusal as HeadOfficeError {
                // The file itself was refused (unreadable, unknown format, bad header): say so plainly, not as a usage error.
                return .failure(refusal)
            }
        }
        bar?.finish()
        let report: DigitalImportReport
        switch outcome {
        case .success(let done): report = done
        case .failure(let refusal):
            FileHandle.standardError.write(Data("parcours hq import: \(refusal.description)\n".utf8))
            throw ExitCode(2)
        }
        let shown = 1_000
        var errors = report.failures.prefix(shown).map { "\(path) \($0)" }
        if report.failures.count > shown { errors.append("… and \(report.failures.count - shown) more bad rows") }
        if !errors.isEmpty { FileHandle.standardError.write(Data((errors.joined(separator: "\n") + "\n").utf8)) }
        print(report.summary)
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}

/// Rows done / total and the rate, redrawn in place on a terminal's standard error.
final class ProgressBar: Sendable {
    private let started = ContinuousClock.now

    func show(_ done: Int, _ total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let elapsed = ContinuousClock.now - started
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        let line = "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) rows  \(Int(Double(done) / seconds)) rows/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
