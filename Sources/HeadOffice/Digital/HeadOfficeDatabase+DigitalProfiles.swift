import Foundation
import Logging
import PostgresNIO

/// A row the import or the webhook could not take, and why. Line 0 is a webhook body.
public struct DigitalRowFailure: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// What became of one digital profile.
public struct DigitalProfileResult: Sendable, Hashable {
    public var line: Int
    public var ecommerceId: String
    /// The profile that now answers for the customer (a survivor, when a merge happened).
    public var profileId: UUID
    /// created, updated or unchanged.
    public var status: String
    /// The profiles merged with this one, by a verified identifier they shared.
    public var merged: [UUID]
    public var newConsents: Int
    public var newTouchpoints: Int
}

public struct DigitalBatchOutcome: Sendable {
    public var results: [DigitalProfileResult] = []
    public var failures: [DigitalRowFailure] = []
}

public struct DigitalTouchpointOutcome: Sendable {
    public var added = 0
    public var alreadyKnown = 0
    public var failures: [DigitalRowFailure] = []
}

extension HeadOfficeDatabase {
    /// Upserts digital profiles in one transaction: every good row commits together; a row the database refuses
    /// is rolled back alone (to its savepoint), reported with its line, and the others still commit.
    ///
    /// Identity decisions are taken under `AdvisoryLock.identity`, like a store's push, and the changes for the
    /// stores are written last under `AdvisoryLock.feed`. The body is safe to re-run (a deadlock retry): every
    /// write is an upsert or keyed by a name-based id.
    public func applyDigitalProfiles(_ rows: [(line: Int, input: DigitalProfileInput)], source: String,
                                     now: Date = Date()) async throws -> DigitalBatchOutcome {
        guard !rows.isEmpty else { return DigitalBatchOutcome() }
        return try await transaction { connection in
            try await AdvisoryLock.identity.take(on: connection, logger: logger)
            let resolver = IdentityResolver(connection: connection, logger: logger)
            var outcome = DigitalBatchOutcome()
            var upserts: [DigitalUpsert] = []
            for (line, input) in rows {
                do {
                    let upsert = try await Self.inSavepoint(connection, logger: logger) {
                        try await resolver.upsertDigital(input, source: source, now: now)
                    }
                    upserts.append(upsert)
                    outcome.results.append(DigitalProfileResult(
                        line: line, ecommerceId: input.ecommerceId, profileId: upsert.profileId, status: upsert.status.rawValue,
                        merged: upsert.merges.map { $0.survivorId == upsert.profileId ? $0.mergedId : $0.survivorId },
                        newConsents: upsert.newConsents.count, newTouchpoints: upsert.newTouchpoints))
                } catch let failure as RowRefused {
                    outcome.failures.append(DigitalRowFailure(line: line, message: failure.message))
                }
            }
            try await AdvisoryLock.feed.take(on: connection, logger: logger)
            try await ChangeFeedWriter(connection: connection, logger: logger).announceDigital(upserts)
            return outcome
        }
    }

    /// Adds touchpoints to customers head office already has, by e-commerce id. A touchpoint already stored (same
    /// e-commerce id, kind and time) is counted, not added again.
    public func addDigitalTouchpoints(_ rows: [(line: Int, ecommerceId: String, touchpoints: [DigitalTouchpoint])]) async throws -> DigitalTouchpointOutcome {
        guard !rows.isEmpty else { return DigitalTouchpointOutcome() }
        return try await transaction { connection in
            // Merges move touchpoints to the survivor: none may land on a profile being merged meanwhile.
            try await AdvisoryLock.identity.take(on: connection, logger: logger)
            let resolver = IdentityResolver(connection: connection, logger: logger)
            var outcome = DigitalTouchpointOutcome()
            for (line, ecommerceId, touchpoints) in rows {
                do {
                    let added = try await Self.inSavepoint(connection, logger: logger) {
                        guard let profileId = try await resolver.digitalProfile(ecommerceId: ecommerceId) else {
                            throw HeadOfficeError(.notFound, "no customer has e-commerce id '\(DigitalValues.excerpt(ecommerceId))': import or PUT the profile first")
                        }
                        return try await resolver.addTouchpoints(touchpoints, ecommerceId: ecommerceId, profileId: profileId)
                    }
                    outcome.added += added
                    outcome.alreadyKnown += touchpoints.count - added
                } catch let failure as RowRefused {
                    outcome.failures.append(DigitalRowFailure(line: line, message: failure.message))
                }
            }
            return outcome
        }
    }

    /// Runs one row's writes so that a failure undoes that row only. A deadlock or serialization failure is not the
    /// row's fault: it goes up, and the whole transaction is retried.
    private static func inSavepoint<T: Sendable>(_ connection: PostgresConnection, logger: Logger,
                                                 _ body: () async throws -> T) async throws -> T {
        try await connection.query("SAVEPOINT digital_row", logger: logger)
        do {
            let result = try await body()
            try await connection.query("RELEASE SAVEPOINT digital_row", logger: logger)
            return result
        } catch let error as PSQLError where error.isRetryable {
            throw error
        } catch {
            try await connection.query("ROLLBACK TO SAVEPOINT digital_row", logger: logger)
            try await connection.query("RELEASE SAVEPOINT digital_row", logger: logger)
            switch error {
            case let error as PSQLError:
                throw RowRefused(message: "the database refused the row: \(error.serverInfo?[.message] ?? "\(error.code)")")
            default:
                throw RowRefused(message: "\(error)")
            }
        }
    }
}

private struct RowRefused: Error {
    var message: String
}
