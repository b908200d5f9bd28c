import Logging
import Crypto
import Foundation
import StoreCore

/// A staff member signed in at one till.
public struct StaffSession: Sendable, Hashable {
    public var staffId: String
    public var role: StaffRole
    /// The till the PIN was entered on: the session is worthless on any other device.
    public var deviceId: String
    public var expiresAt: Date
}

/// Staff sessions, in memory: a restart signs everyone out, which is what a till wants after a reboot.
///
/// Tokens are 32 random bytes; only their SHA-256 is kept as the key, so a memory dump does not hand out sessions.
public actor StaffSessions {
    private var sessions: [String: StaffSession] = [:]
    private let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock, injectable so that expiry is tested without waiting.
    public init(lifetime: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.now = now
    }

    /// Opens a session and returns its token (shown once) with the session.
    public func open(staff: StaffMember, deviceId: String) -> (token: String, session: StaffSession) {
        purgeExpired()
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let session = StaffSession(staffId: staff.id, role: staff.role, deviceId: deviceId,
                                   expiresAt: now().addingTimeInterval(lifetime))
        sessions[Self.key(token)] = session
        return (token, session)
    }

    public enum Lookup: Sendable, Hashable {
        case valid(StaffSession)
        case unknown
        case expired
        case otherDevice
    }

    /// The session for `token` if it is live and belongs to `deviceId`.
    public func session(token: String, deviceId: String) -> Lookup {
        let key = Self.key(token)
        guard let session = sessions[key] else { return .unknown }
        guard session.expiresAt > now() else {
            sessions[key] = nil
            return .expired
        }
        guard session.deviceId == deviceId else { return .otherDevice }
        return .valid(session)
    }

    public func close(token: String) {
        sessions[Self.key(token)] = nil
    }

    /// Signs a staff member out everywhere (removed, or role changed).
    public func closeAll(staffId: String) {
        sessions = sessions.filter { $0.value.staffId != staffId }
    }

    private func purgeExpired() {
        let now = now()
        sessions = sessions.filter { $0.value.expiresAt > now }
    }

    private static func key(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
