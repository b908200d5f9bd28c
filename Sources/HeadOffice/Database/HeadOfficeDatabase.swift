import Foundation
import Logging
import PostgresNIO

/// Head office's PostgreSQL: a connection pool and the transactions every operation runs in.
///
/// A node keeps no state of its own beyond this pool, so any number of nodes can serve one database. Everything
/// that must be serialized across nodes is serialized by PostgreSQL: row locks on the store being synced and
/// transaction-scoped advisory locks (``AdvisoryLock``).
public struct HeadOfficeDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger

    /// Parses `postgres://user:password@host:port/database` (the form `config/postgres/pg-cluster url` prints).
    public static func configuration(url: String, maximumConnections: Int = 20) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
            throw HeadOfficeError(.invalidArgument, "the database URL must look like postgres://user:password@host:port/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty else { throw HeadOfficeError(.invalidArgument, "the database URL names no database") }
        let requireTLS = components.queryItems?.contains { $0.name == "sslmode" && $0.value == "require" } ?? false
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database, tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = maximumConnections
        // Head office's queries are short, and PostgreSQL's JIT compiles every query its planner costs above a
        // threshold (on by default): a report's people count over a year of the chain's day rows at 1 M visits took
        // 686 ms with JIT and 597 ms without, and 1 038 ms once past the inlining threshold, 323 ms of it compiling
        // (EXPLAIN ANALYZE). A bigger chain crosses those thresholds with more queries. A node's sessions never JIT.
        configuration.options.additionalStartupParameters = [("jit", "off")]
        return configuration
    }

    public init(client: PostgresClient, logger: Logger = Logger(label: "parcours.hq.db")) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in one transaction. A deadlock or serialization failure (another node touched the same rows)
    /// rolls back and runs `body` again, up to a few times: every caller's body must be safe to re-run.
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 6 && error.isRetryable {
                logger.notice("transaction retried", metadata: ["sqlState": "\(error.serverInfo?[.sqlState] ?? "")", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
            }
        }
    }

    public func read<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in try await body(connection) }
    }
}

/// Locks held until the end of the transaction that takes them, on every node.
enum AdvisoryLock: Int64 {
    /// Identity resolution: binding identifiers and merging profiles, one transaction at a time, so that two stores
    /// merging the same people at the same time end in one result.
    case identity = 7_201
    /// Appending to the changes feed: positions become visible in the order they were taken, so a store reading
    /// the feed never skips a change committed late.
    case feed = 7_202

    func take(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(rawValue))", logger: logger)
    }
}

extension PSQLError {
    /// 40001 serialization_failure, 40P01 deadlock_detected.
    var isRetryable: Bool {
        guard let state = serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    var sqlState: String? { serverInfo?[.sqlState] }
}

public struct HeadOfficeError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidArgument, notFound, conflict, unauthorized, forbidden
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func gathered() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
