import Foundation
import Logging
import ReaderService
import StoreCore

/// Turns each tap the reader service reports into a visit in the store's database.
///
/// The visit is recorded on the device (kiosk or till) whose bound reader saw the tap; a reader no device owns
/// records under its own name, so an unconfigured store still counts its visits.
public struct TapRecorder: Sendable {
    public let database: StoreDatabase
    let logger: Logger

    public init(database: StoreDatabase, logger: Logger = Logger(label: "parcours.taps")) {
        self.database = database
        self.logger = logger
    }

    /// What became of one tap.
    public enum Recording: Sendable {
        /// The card could not be read or proved nothing: no visit.
        case unreadable(reader: String, reason: String)
        /// A visit was recorded (or the tap joined the open one) on `deviceId`.
        case recorded(TapResult, deviceId: String, VisitOutcome)
        /// The card was read but the store refused or failed to record it.
        case notRecorded(TapResult, reason: String)
    }

    public func record(_ tap: TapResult) async -> Recording {
        guard tap.succeeded, !tap.identifiers.isEmpty else {
            return .unreadable(reader: tap.reader, reason: tap.failure ?? "the card proved no identifier")
        }
        do {
            let deviceId = try await deviceId(forReader: tap.reader)
            let outcome = try await database.recordTap(
                Tap(identifiers: StoreCore.TapIdentifiers(provedBy: tap), deviceId: deviceId,
                    reader: tap.reader, at: tap.at))
            return .recorded(tap, deviceId: deviceId, outcome)
        } catch {
            logger.warning("tap read but not recorded", metadata: ["reader": "\(tap.reader)", "error": "\(error)"])
            return .notRecorded(tap, reason: "\(error)")
        }
    }

    /// The active device bound to `reader`, else a device id made from the reader name.
    func deviceId(forReader reader: String) async throws -> String {
        if let device = try await database.devices().first(where: { !$0.isRevoked && $0.boundReader == reader }) {
            return device.id
        }
        return Self.unboundDeviceId(reader: reader)
    }

    /// `reader-` and the reader name reduced to letters, digits and dashes ("Virtual PCD 00 01" → "reader-virtual-pcd-00-01").
    static func unboundDeviceId(reader: String) -> String {
        let words = reader.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return (["reader"] + words.map(String.init)).joined(separator: "-").prefix(64).description
    }
}

extension TapRecorder.Recording: CustomStringConvertible {
    /// One line for the console: ids, points and outcomes; no names, no card numbers, no secrets (it may end up in
    /// a journal).
    public var description: String {
        switch self {
        case .unreadable(let reader, let reason):
            return "tap on \(reader) failed: \(reason)"
        case .notRecorded(let tap, let reason):
            return "tap on \(tap.reader) read but not recorded: \(reason)"
        case .recorded(let tap, let deviceId, let outcome):
            let visit = outcome.isNewVisit ? "new visit" : "same visit"
            guard let greeting = outcome.greeting else {
                return "\(tap.technology) on \(tap.reader) (\(deviceId)): unknown customer, anonymous \(visit) recorded"
                    + " (a sign-up can claim it)"
            }
            let rewards = greeting.affordableRewards.map(\.name).joined(separator: ", ")
            return "\(tap.technology) on \(tap.reader) (\(deviceId)): customer \(greeting.profileId), \(greeting.points) points,"
                + " \(greeting.tier), \(visit)"
                + (outcome.visitBonus > 0 ? ", +\(outcome.visitBonus) visit bonus" : "")
                + (rewards.isEmpty ? "" : "; rewards within reach: \(rewards)")
        }
    }
}
