import Foundation

/// What an import of one file did, for the person who ran it.
public struct DigitalImportReport: Sendable {
    public var file: String
    public var kind: DigitalImporter.Kind
    /// Data rows read (records after the header, or non-blank lines), good and bad.
    public var rows = 0
    public var created = 0, updated = 0, unchanged = 0, merges = 0
    public var consentsAdded = 0
    public var touchpointsAdded = 0, touchpointsAlreadyKnown = 0
    /// Every bad row, by line, with what was wrong. The good rows were imported all the same.
    public var failures: [DigitalRowFailure] = []
    public var seconds: Double = 0

    public var imported: Int { rows - failures.count }

    /// The plain summary printed at the end (and whenever the output is not a terminal).
    public var summary: String {
        var lines = ["\(file): \(rows) row\(rows == 1 ? "" : "s") read, \(imported) imported, \(failures.count) bad"
                     + String(format: " (%.1f s)", seconds)]
        switch kind {
        case .profiles:
            lines.append("profiles: \(created) created, \(updated) updated, \(unchanged) unchanged; \(merges) merge\(merges == 1 ? "" : "s"); "
                         + "\(consentsAdded) consent\(consentsAdded == 1 ? "" : "s") and \(touchpointsAdded) touchpoint\(touchpointsAdded == 1 ? "" : "s") added")
        case .touchpoints:
            lines.append("touchpoints: \(touchpointsAdded) added, \(touchpointsAlreadyKnown) already known")
        }
        return lines.joined(separator: "\n")
    }
}

/// `parcours hq import`: reads a CSV or JSON Lines file of customers (or of touchpoints), reports every bad row
/// with its line and what was wrong, and writes the good ones in transactions of `batchSize` rows.
///
/// Safe to re-run: profiles are upserted by e-commerce id, consents and touchpoints carry name-based ids, so the
/// same file imported twice leaves the same state. A file whose CSV header is wrong is refused before anything is
/// written.
public struct DigitalImporter: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case profiles, touchpoints }
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl

        /// By extension: .csv, .jsonl (or .ndjson).
        public init?(path: String) {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "csv": self = .csv
            case "jsonl", "ndjson": self = .jsonl
            default: return nil
            }
        }
    }

    public let database: HeadOfficeDatabase
    public let batchSize: Int

    public init(database: HeadOfficeDatabase, batchSize: Int = 500) {
        self.database = database
        self.batchSize = max(1, batchSize)
    }

    /// A row read from the file: a good one ready to write, or what was wrong with it.
    enum Row {
        case profile(line: Int, DigitalProfileInput)
        case touchpoint(line: Int, ecommerceId: String, DigitalTouchpoint)
        case bad(DigitalRowFailure)
    }

    /// Imports `path`. `progress(done, total)` is called after each batch. Throws, before writing anything, when the
    /// file cannot be read, its format is unknown or its header is wrong.
    public func importFile(_ path: String, kind: Kind, format: Format? = nil,
                           progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> DigitalImportReport {
        guard let format = format ?? Format(path: path) else {
            throw HeadOfficeError(.invalidArgument, "\(path): cannot tell the format from the extension: name it .csv or .jsonl, or pass --format csv|jsonl")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw HeadOfficeError(.invalidArgument, "\(path): cannot be read (\((error as NSError).localizedDescription))")
        }
        let rows = try Self.rows(of: data, kind: kind, format: format, file: path)
        return try await importRows(rows, kind: kind, file: path, progress: progress)
    }

    func importRows(_ rows: [Row], kind: Kind, file: String, progress: @Sendable (Int, Int) -> Void) async throws -> DigitalImportReport {
        let started = ContinuousClock.now
        var report = DigitalImportReport(file: file, kind: kind)
        report.rows = rows.count
        // The file's name, not its path: the path is the operator's machine (often a temporary folder), and it
        // would be kept with every consent forever.
        let source = "import \(URL(fileURLWithPath: file).lastPathComponent)"
        var done = 0
        progress(0, rows.count)
        for chunk in stride(from: 0, to: rows.count, by: batchSize).map({ rows[$0..<min($0 + batchSize, rows.count)] }) {
            var profiles: [(line: Int, input: DigitalProfileInput)] = []
            var touchpoints: [(line: Int, ecommerceId: String, touchpoints: [DigitalTouchpoint])] = []
            for row in chunk {
                switch row {
                case let .profile(line, input): profiles.append((line, input))
                case let .touchpoint(line, id, touchpoint): touchpoints.append((line, id, [touchpoint]))
                case let .bad(failure): report.failures.append(failure)
                }
            }
            if !profiles.isEmpty {
                let outcome = try await database.applyDigitalProfiles(profiles, source: source)
                for result in outcome.results {
                    switch result.status {
                    case "created": report.created += 1
                    case "updated": report.updated += 1
                    default: report.unchanged += 1
                    }
                    report.merges += result.merged.count
                    report.consentsAdded += result.newConsents
                    report.touchpointsAdded += result.newTouchpoints
                }
                report.failures += outcome.failures
            }
            if !touchpoints.isEmpty {
                let outcome = try await database.addDigitalTouchpoints(touchpoints)
                report.touchpointsAdded += outcome.added
                report.touchpointsAlreadyKnown += outcome.alreadyKnown
                report.failures += outcome.failures
            }
            done += chunk.count
            progress(done, rows.count)
        }
        report.failures.sort { ($0.line, $0.message) < ($1.line, $1.message) }
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }

    /// Every row of the file, read and checked, in file order. The whole file is read before anything is written,
    /// which is what lets a bad header stop the import and the progress bar know its total.
    static func rows(of data: Data, kind: Kind, format: Format, file: String) throws -> [Row] {
        switch format {
        case .csv: try csvRows(data, kind: kind, file: file)
        case .jsonl: jsonLinesRows(data, kind: kind)
        }
    }

    private static func csvRows(_ data: Data, kind: Kind, file: String) throws -> [Row] {
        var reader = CSVReader(data)
        let layout: DigitalCSVLayout
        switch reader.next() {
        case nil:
            throw HeadOfficeError(.invalidArgument, "\(file): the file is empty (a CSV import starts with a header row)")
        case .failure(let failure)?:
            throw HeadOfficeError(.invalidArgument, "\(file) line \(failure.line): the header row is malformed: \(failure.message); nothing was imported")
        case .success(let header)?:
            do {
                layout = try DigitalCSVLayout(header: header.fields, kind: kind == .profiles ? .profiles : .touchpoints)
            } catch let error as DigitalInputError {
                throw HeadOfficeError(.invalidArgument, "\(file) line \(header.line): the header row is malformed: \(error.problem); nothing was imported")
            }
        }
        var rows: [Row] = []
        while let next = reader.next() {
            switch next {
            case .failure(let failure):
                rows.append(.bad(DigitalRowFailure(line: failure.line, message: failure.message)))
            case .success(let record):
                do {
                    switch kind {
                    case .profiles: rows.append(.profile(line: record.line, try layout.profile(record)))
                    case .touchpoints:
                        let (id, touchpoint) = try layout.touchpoint(record)
                        rows.append(.touchpoint(line: record.line, ecommerceId: id, touchpoint))
                    }
                } catch let error as DigitalInputError {
                    rows.append(.bad(DigitalRowFailure(line: record.line, message: error.field == "row" ? error.problem : error.description)))
                }
            }
        }
        return rows
    }

    /// One JSON object per line; blank lines are skipped. A profiles line may carry its touchpoints; a touchpoints
    /// line is one touchpoint with its `ecommerceId`.
    private static func jsonLinesRows(_ data: Data, kind: Kind) -> [Row] {
        var rows: [Row] = []
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            do {
                let value: JSONValue
                do {
                    value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
                } catch {
                    throw DigitalInputError("line", "is not valid JSON (one JSON object per line)")
                }
                switch kind {
                case .profiles:
                    rows.append(.profile(line: number, try DigitalProfileJSON.profile(value)))
                case .touchpoints:
                    let object = try DigitalProfileJSON.object(value, "line")
                    guard let id = try DigitalProfileJSON.string(object, "ecommerceId") else {
                        throw DigitalInputError("ecommerceId", "is missing (the e-commerce id is required)")
                    }
                    let ecommerceId = try DigitalValues.token(id, field: "ecommerceId")
                    let touchpoint = try DigitalProfileJSON.touchpoint(value, prefix: "", extraFields: ["ecommerceId"])
                    rows.append(.touchpoint(line: number, ecommerceId: ecommerceId, touchpoint))
                }
            } catch let error as DigitalInputError {
                rows.append(.bad(DigitalRowFailure(line: number, message: error.field == "line" ? error.problem : error.description)))
            } catch {
                rows.append(.bad(DigitalRowFailure(line: number, message: "\(error)")))
            }
        }
        return rows
    }
}
