import Foundation
import GRDB

extension StoreDatabase {
    /// Records a Net Promoter answer (0–10) from a kiosk.
    public func recordFeedback(score: Int, comment: String? = nil, language: String, kioskDeviceId: String,
                               profileId: String? = nil, at: Date = Date()) async throws -> Feedback {
        guard (0...10).contains(score) else {
            throw StoreError(.invalidScore, "score must be between 0 and 10, got \(score)")
        }
        let comment = try TextField.comment(comment, field: "comment", maximumLength: 2000)
        let language = try TextField.language(language)
        let kioskDeviceId = try TextField.token(kioskDeviceId, field: "kioskDeviceId")
        let profileId = try profileId.map { try RecordID.normalized($0, what: "profileId") }
        let at = at.storeTruncated

        let feedback = Feedback(id: UUIDv7.string(at: at), storeId: storeId, score: score, comment: comment,
                                language: language, kioskDeviceId: kioskDeviceId, profileId: profileId, at: at)
        // Encoded before the transaction: the payload needs nothing from the database, and the writer connection
        // is the one thing every write waits for.
        let payload = try OutboxPayload.encode(feedback)
        return try await write { db in
            if let profileId { _ = try Self.liveProfile(db, id: profileId) }
            try feedback.insertRow(db)
            try db.appendOutboxEvent(.feedbackRecorded, storeId: self.storeId, encodedPayload: payload, at: at)
            return feedback
        }
    }
}
