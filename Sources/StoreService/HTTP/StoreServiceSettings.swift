import Logging
import Foundation

/// What the HTTP side of the store service needs to know. Defaults are the embedded ones `parcours serve` starts
/// with when there is no configuration.
public struct StoreServiceSettings: Sendable, Hashable {
    /// Loopback by default: the fronts run on the same machine; a store that puts kiosks on the LAN opts in.
    public var host: String
    public var port: Int
    /// Largest request body accepted, in bytes. Every API body is a few hundred bytes; 64 KiB leaves room for
    /// a long comment and stops a client from making the server buffer megabytes.
    public var maximumBodyBytes: Int
    /// How long a staff sign-in at a till lasts before the PIN must be entered again (a shift, not a day).
    public var staffSessionLifetime: TimeInterval
    /// How long a tap stays "current" on a device with nothing happening (the kiosk's idle reset, 45 s).
    public var tapIdleTimeout: TimeInterval
    /// The languages the kiosk and till offer (`kiosk.languages`), in the order of their switcher; the first is the
    /// one shown when the browser's language is not among them.
    public var frontLanguages: [String]
    /// Server name reported by Hummingbird.
    public var serverName: String
    /// Serve HTTPS (and WSS) with this certificate and key; nil serves plain HTTP, for loopback.
    public var tls: TLSFiles?

    /// PEM files of the server certificate (chain) and its private key.
    public struct TLSFiles: Sendable, Hashable {
        public var certificatePath: String
        public var keyPath: String

        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    public init(host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 64 * 1024,
                staffSessionLifetime: TimeInterval = 4 * 3600, tapIdleTimeout: TimeInterval = 45,
                frontLanguages: [String] = StoreServiceSettings.translatedLanguages,
                serverName: String = "parcours", tls: TLSFiles? = nil) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.staffSessionLifetime = staffSessionLifetime
        self.tapIdleTimeout = tapIdleTimeout
        self.frontLanguages = frontLanguages
        self.serverName = serverName
        self.tls = tls
    }

    /// The languages the fronts have strings for (the `STRINGS` tables of kiosk.js and till.js): a store can offer
    /// fewer, never others.
    public static let translatedLanguages = ["fr", "en"]
}
