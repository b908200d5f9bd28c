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

        return try await write { db in
            if let profileId { _ = try Self.liveProfile(db, id: profileId) }
            let feedback = Feedback(id: UUIDv7.string(at: at), storeId: self.storeId, score: score, comment: comment,
                                    language: language, kioskDeviceId: kioskDeviceId, profileId: profileId, at: at)
            try feedback.insert(db)
            try db.appendOutboxEvent(.feedbackRecorded, storeId: self.storeId, payload: feedback, at: at)
            return feedback
        }
    }
}
