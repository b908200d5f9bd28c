import Foundation
import NIOSSL
import SyncProtocol

/// Where head office is and how this store proves who it is.
public struct HeadOfficeLink: Sendable {
    /// Base URL, e.g. https://hq.example.com (a path prefix is kept).
    public var url: URL
    public var credential: StoreCredential
    /// Pause between sync rounds when there is nothing to send.
    public var interval: Duration
    /// The most events a push may carry. Pushes start at 500 (or this, if smaller) and grow toward it while
    /// they go through quickly (``PushBatchSizer``).
    public var batchSize: Int
    /// Changes per pull.
    public var pageSize: Int
    public var requestTimeout: Duration
    public var backoff: Backoff
    /// PEM file of the certificate authority that signed head office's TLS certificate, trusted instead of the
    /// system's roots (a chain's own CA); nil trusts the system's roots.
    public var caFile: String?

    public init(url: URL, credential: StoreCredential, interval: Duration = .seconds(5), batchSize: Int = PushBatch.maximumEvents,
                pageSize: Int = 500, requestTimeout: Duration = .seconds(30), backoff: Backoff = Backoff(),
                caFile: String? = nil) throws {
        guard ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw SyncProtocolError("headOffice.url must be an http(s) URL, got '\(url.absoluteString.prefix(80))'")
        }
        guard (1...PushBatch.maximumEvents).contains(batchSize) else {
            throw SyncProtocolError("headOffice.batchSize must be from 1 to \(PushBatch.maximumEvents), got \(batchSize)")
        }
        guard (1...ChangePage.maximumLimit).contains(pageSize) else {
            throw SyncProtocolError("headOffice.pageSize must be from 1 to \(ChangePage.maximumLimit), got \(pageSize)")
        }
        self.url = url
        self.credential = credential
        self.interval = interval
        self.batchSize = batchSize
        self.pageSize = pageSize
        self.requestTimeout = requestTimeout
        self.backoff = backoff
        self.caFile = caFile
        _ = try clientTLS()
    }

    /// The TLS a store speaks to head office with: the system's roots, or only `caFile`'s certificates.
    public func clientTLS() throws -> TLSConfiguration? {
        guard let caFile else { return nil }
        let roots: [NIOSSLCertificate]
        do {
            roots = try NIOSSLCertificate.fromPEMFile(caFile)
        } catch {
            throw SyncProtocolError("headOffice.caFile: \(caFile) is not a readable PEM certificate (\(error))")
        }
        guard !roots.isEmpty else { throw SyncProtocolError("headOffice.caFile: \(caFile) holds no certificate") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(roots)
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// Capped exponential backoff with full jitter: after the n-th failure in a row, wait a random time between zero
/// and min(cap, base × 2ⁿ⁻¹). Jitter keeps a hundred stores that lost head office at the same moment from all
/// coming back at the same moment.
public struct Backoff: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(60)) {
        self.base = base
        self.cap = cap
    }

    /// The upper bound of the wait after `failures` failures in a row (1 or more).
    public func ceiling(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let grown = base * (1 << exponent)
        return min(grown, cap)
    }

    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        ceiling(afterFailures: failures) * min(max(random, 0), 1)
    }
}
