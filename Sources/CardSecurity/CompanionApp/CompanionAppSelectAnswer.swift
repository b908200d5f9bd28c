import CardProtocols

/// The app's answer to SELECT: `protocolVersion(1) ‖ appVersion major(1) minor(1) patch(1)`, `90 00`.
public struct CompanionAppSelectAnswer: Sendable, Hashable {
    public static let length = 4

    public let protocolVersion: UInt8
    public let appVersion: (major: UInt8, minor: UInt8, patch: UInt8)

    public init(
        protocolVersion: UInt8 = CompanionAppProtocol.protocolVersion,
        appVersion: (major: UInt8, minor: UInt8, patch: UInt8)
    ) {
        self.protocolVersion = protocolVersion
        self.appVersion = appVersion
    }

    /// - Throws: ``CardSecurityError``: `.deviceRefused` for an error status (`6A82`: the app is not
    ///   installed), `.malformed` for an answer of the wrong length or an unsupported protocol version.
    public init(parsing response: ResponseAPDU) throws {
        guard response.status.isSuccess else {
            throw CardSecurityError.deviceRefused(
                "SELECT of the companion app: \(CompanionAppProtocol.refusalReason(response.status))")
        }
        guard response.data.count == Self.length else {
            throw CardSecurityError.malformed(
                "companion app SELECT answer must be \(Self.length) bytes, got \(response.data.count)")
        }
        guard response.data[0] == CompanionAppProtocol.protocolVersion else {
            throw CardSecurityError.malformed(
                "companion app speaks protocol version \(response.data[0]); "
                    + "this reader speaks \(CompanionAppProtocol.protocolVersion)")
        }
        protocolVersion = response.data[0]
        appVersion = (response.data[1], response.data[2], response.data[3])
    }

    public var appVersionText: String { "\(appVersion.major).\(appVersion.minor).\(appVersion.patch)" }

    public func serialized() -> [UInt8] {
        [protocolVersion, appVersion.major, appVersion.minor, appVersion.patch]
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.serialized() == rhs.serialized() }

    public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }
}
