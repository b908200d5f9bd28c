import Foundation
import HeadOffice
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The routes managers use (the dashboard, and anyone scripting reports): sign-in, store reports traced to their
/// rows, feedback comments, segments with consent-aware exports, and the 360° customer view. Everything but
/// sign-in needs a manager session's bearer token.
extension HeadOfficeAPI {
    func addInsightRoutes(to router: Router<BasicRequestContext>) {
        let sessions = router.group("v1/manager/sessions")
        sessions.post { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 10)
            let credentials = try StrictBody.decode(SignIn.self, from: body, fields: ["id", "password"])
            do {
                let session = try await database.signInManager(id: credentials.id, password: credentials.password)
                return try privateJSON(session, status: .created)
            } catch let locked as ManagerLockedOut {
                throw HeadOfficeHTTPError(.init(code: 423, reasonPhrase: "Locked"), "locked", locked.description)
            }
        }
        sessions.delete("current") { request, _ -> Response in
            let token = try bearerToken(request)
            _ = try await database.authenticateManager(token: token)
            try await database.signOutManager(token: token)
            return Response(status: .noContent)
        }

        router.get("v1/stores") { request, _ -> Response in
            _ = try await manager(request)
            let stores = try await database.stores().map { StoreSummary(id: $0.id, name: $0.name, region: $0.region) }
            return try privateJSON(["stores": stores], status: .ok)
        }

        let reports = router.group("v1/reports")
        reports.get("stores") { request, _ -> Response in
            _ = try await manager(request)
            let query = request.uri.queryParameters
            let grain = try query.get("by").map { text -> ReportGrain in
                guard let grain = ReportGrain(rawValue: text) else { throw invalid("by must be day, week, month, quarter or year") }
                return grain
            } ?? .day
            let scope = try Self.scope(query)
            let period = try Self.period(query)
            let report = try await database.storeReport(scope: scope, period: period, by: grain)
            if try Self.wantsCSV(query) {
                let name = "parcours-report-\(report.scope.id ?? "chain")-\(report.from)-\(report.to)-\(grain.rawValue).csv"
                return csvResponse(report.csv, filename: name)
            }
            return try privateJSON(report, status: .ok)
        }
        reports.get("rows") { request, _ -> Response in
            _ = try await manager(request)
            let query = request.uri.queryParameters
            guard let text = query.get("figure"), let figure = ReportFigure(rawValue: text) else {
                throw invalid("figure must be one of \(ReportFigure.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let json = try await database.reportRows(figure, scope: try Self.scope(query), period: try Self.period(query),
                                                     limit: try Self.integer(query, "limit", default: 100, range: 1...10_000),
                                                     offset: try Self.integer(query, "offset", default: 0, range: 0...Int(Int32.max)))
            if try Self.wantsCSV(query) {
                return csvResponse(try Self.csv(fromRowsJSON: json), filename: "parcours-rows-\(figure.rawValue).csv")
            }
            return privateJSONText(json)
        }
        reports.get("comments") { request, _ -> Response in
            _ = try await manager(request)
            let query = request.uri.queryParameters
            let (count, comments) = try await database.reportComments(
                scope: try Self.scope(query), period: try Self.period(query),
                limit: try Self.integer(query, "limit", default: 50, range: 1...1_000),
                offset: try Self.integer(query, "offset", default: 0, range: 0...Int(Int32.max)))
            return try privateJSON(CommentPage(count: count, comments: comments), status: .ok)
        }

        let segments = router.group("v1/segments")
        segments.get { request, _ -> Response in
            _ = try await manager(request)
            return try privateJSON(try await database.segmentOverview(), status: .ok)
        }
        segments.post("refresh") { request, _ -> Response in
            _ = try await manager(request)
            guard let overview = try await database.refreshSegments() else {
                throw HeadOfficeHTTPError(.conflict, "busy", "another head-office node is refreshing the segments right now; try again in a minute")
            }
            return try privateJSON(overview, status: .ok)
        }
        segments.get(":name/members") { request, context -> Response in
            _ = try await manager(request)
            let query = request.uri.queryParameters
            // Segment names have spaces ("At Risk"): the path carries them percent-encoded.
            let name = context.parameters.get("name").flatMap { $0.removingPercentEncoding } ?? ""
            let purpose = query.get("purpose")
            let members = try await database.segmentMembers(
                name, purpose: purpose,
                limit: try query.get("limit").map { _ in try Self.integer(query, "limit", default: 100, range: 1...1_000_000) },
                offset: try Self.integer(query, "offset", default: 0, range: 0...Int(Int32.max)))
            if try Self.wantsCSV(query) {
                let file = "parcours-segment-\(name.lowercased().replacingOccurrences(of: " ", with: "-"))\(purpose.map { "-\($0)" } ?? "").csv"
                return csvResponse(SegmentMember.csv(members), filename: file)
            }
            return try privateJSON(["members": members], status: .ok)
        }

        let customers = router.group("v1/customers")
        customers.get { request, _ -> Response in
            _ = try await manager(request)
            guard let q = request.uri.queryParameters.get("q") else { throw invalid("q (an email, phone, e-commerce id or profile id) is required") }
            return try privateJSON(["customers": try await database.searchCustomers(q)], status: .ok)
        }
        customers.get(":id") { request, context -> Response in
            _ = try await manager(request)
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw invalid("the customer id must be a UUID") }
            let query = request.uri.queryParameters
            let before = try query.get("before").map { text -> Date in
                guard let date = try? Date(text, strategy: .iso8601) else { throw invalid("before must be an ISO 8601 time") }
                return date
            }
            let view = try await database.customerView(id: id, timelineLimit: try Self.integer(query, "timelineLimit", default: 1_000, range: 1...10_000),
                                                       before: before)
            return try privateJSON(view, status: .ok)
        }
    }

    /// The manager behind the request's bearer token, or a 401 saying why not.
    func manager(_ request: Request) async throws -> ManagerIdentity {
        try await database.authenticateManager(token: try bearerToken(request))
    }

    private func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw HeadOfficeHTTPError(.unauthorized, "unauthenticated", "sign in as a manager: send Authorization: Bearer <session token>")
        }
        return String(header.dropFirst("Bearer ".count))
    }

    static func scope(_ query: Query) throws -> ReportScope {
        let store: String? = query.get("store"), region: String? = query.get("region")
        switch (store, region) {
        case (nil, nil): return .chain
        case (let store?, nil): return .store(store)
        case (nil, let region?): return .region(region)
        default: throw invalid("give store or region, not both")
        }
    }

    static func period(_ query: Query) throws -> ReportPeriod {
        guard let from = query.get("from"), let to = query.get("to") else { throw invalid("from and to (YYYY-MM-DD) are required") }
        do {
            return try ReportPeriod(from: try ReportDay(parsing: from, field: "from"), to: try ReportDay(parsing: to, field: "to"))
        } catch let error as HeadOfficeError {
            throw invalid(error.description)
        }
    }

    static func integer(_ query: Query, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else { throw invalid("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)") }
        return number
    }

    static func wantsCSV(_ query: Query) throws -> Bool {
        let format: String? = query.get("format")
        switch format {
        case nil, "json": return false
        case "csv": return true
        default: throw invalid("format must be json or csv")
        }
    }

    /// The rows of a traced figure as CSV: the columns of the first row, in its order.
    static func csv(fromRowsJSON json: String) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let rows = object["rows"] as? [[String: Any]] else { return "" }
        let columns = rows.first.map { $0.keys.sorted() } ?? []
        func text(_ value: Any?) -> String {
            switch value {
            case nil, is NSNull: return ""
            case let string as String: return string
            case let number as NSNumber: return number.stringValue
            default: return "\(value!)"
            }
        }
        return CSVText.line(columns) + rows.map { row in CSVText.line(columns.map { text(row[$0]) }) }.joined()
    }
}

typealias Query = FlatDictionary<Substring, Substring>

private func invalid(_ reason: String) -> HeadOfficeHTTPError {
    HeadOfficeHTTPError(.badRequest, "invalid", reason)
}

struct SignIn: Decodable {
    var id: String
    var password: String
}

struct StoreSummary: Codable {
    var id: String
    var name: String
    var region: String?
}

struct CommentPage: Codable {
    var count: Int
    var comments: [ReportComment]
}

/// JSON a browser must not keep: reports and customers carry personal data.
func privateJSON(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return privateJSONData(try encoder.encode(value), status: status)
}

func privateJSONText(_ text: String) -> Response {
    privateJSONData(Data(text.utf8), status: .ok)
}

private func privateJSONData(_ data: Data, status: HTTPResponse.Status) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
             body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

func csvResponse(_ text: String, filename: String) -> Response {
    let safe = filename.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
    var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store"]
    headers[.contentDisposition] = "attachment; filename=\"\(safe)\""
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
}

/// Decodes a JSON object body, refusing fields it does not know (a typo must not be silently ignored).
enum StrictBody {
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, fields: Set<String>) throws -> T {
        let data = Data(body.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HeadOfficeHTTPError(.badRequest, "invalid_body", "the body must be a JSON object")
        }
        if let unknown = Set(object.keys).subtracting(fields).sorted().first {
            throw HeadOfficeHTTPError(.badRequest, "invalid_body", "\(unknown) is not a field of this request")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw HeadOfficeHTTPError(.badRequest, "invalid_body", DecodingErrorText.describe(error))
        }
    }
}
