import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import StoreCore
import StoreSync
import SyncProtocol

/// `head office`, `head office auth`, `clock` and `outbox`: the link `parcours serve` would sync over, tried with
/// one unsigned and one signed read (neither changes anything at head office or in the store).
enum HeadOfficeChecks {
    /// Beyond this the local clock is off enough to mislead people reading times, well before signing breaks.
    static let warnSkew: TimeInterval = 30
    /// Oldest unacknowledged event: older than this and sync has been failing for a while.
    static let warnBacklogAge: TimeInterval = 30 * 60
    /// Older than a day: head office and the other stores miss a day of this store's sales and points.
    static let failBacklogAge: TimeInterval = 24 * 3600

    static func run(url option: String?, store: StoreFileInspection.Contents?, limit: Duration,
                    environment: [String: String]) async -> [DoctorCheck] {
        guard let text = option ?? environment["PARCOURS_HEADOFFICE_URL"], !text.isEmpty else {
            return [.ok("head office", "not configured: the store runs alone"), outbox(store, configured: false)]
        }
        var link: HeadOfficeLink
        do {
            let storeId = store?.storeId
                ?? (try? StoreCredential(parsing: environment["PARCOURS_HEADOFFICE_CREDENTIAL"] ?? "").storeId) ?? ""
            guard let made = try HeadOfficeLinkOptions.link(url: option, storeId: storeId) else {
                return [.ok("head office", "not configured: the store runs alone"), outbox(store, configured: false)]
            }
            link = made
        } catch let error as ValidationError {
            return [.fail("head office", error.message,
                          fix: "correct it in the service's environment (/etc/parcours/store.env) and systemctl restart parcours-store"),
                    .skip("head office auth", because: "the head-office link is not usable", fix: "fix the head office check first"),
                    .skip("clock", because: "the head-office link is not usable", fix: "fix the head office check first"),
                    outbox(store, configured: true)]
        } catch {
            return [.fail("head office", "\(error)", fix: "correct the head-office settings in /etc/parcours/store.env"),
                    outbox(store, configured: true)]
        }
        link.requestTimeout = limit
        let tls: TLSConfiguration?
        do { tls = try link.clientTLS() } catch {
            return [.fail("head office", "\(error)", fix: "point PARCOURS_HEADOFFICE_CA_FILE at the chain CA's PEM file"), outbox(store, configured: true)]
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls,
                                                     timeout: .init(connect: .init(limit), read: .init(limit)))
        // A refused connection is an answer for a diagnosis: say so at once instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                              backgroundActivityLogger: Logger(label: "parcours.doctor.http"))
        let checks = await probe(link: link, http: http, store: store, limit: limit)
        try? await http.shutdown()
        return checks
    }

    /// `/health` unsigned, then the signed read, the clock from the first answer, and the outbox.
    private static func probe(link: HeadOfficeLink, http: HTTPClient, store: StoreFileInspection.Contents?,
                              limit: Duration) async -> [DoctorCheck] {
        let client = HeadOfficeClient(link: link, http: http)
        var checks: [DoctorCheck] = []
        let base = link.url.absoluteString.hasSuffix("/") ? String(link.url.absoluteString.dropLast()) : link.url.absoluteString
        let health = await withDeadline(limit + .seconds(1)) { () async throws -> (status: UInt, date: String?, started: Date, ended: Date) in
            let started = Date()
            let response = try await http.execute(HTTPClientRequest(url: base + "/health"), timeout: .init(limit))
            _ = try await response.body.collect(upTo: 1 << 20)
            return (response.status.code, response.headers.first(name: "Date"), started, Date())
        }
        let unreachableFix = "check the URL (PARCOURS_HEADOFFICE_URL), the network and VPN from this PC (curl \(base)/health), and that parcours-hq runs; the store keeps selling and catches up once it answers"
        switch health {
        case .timedOut(let limit):
            checks.append(.fail("head office", "\(base)/health gave no answer within \(limit.doctorText)", fix: unreachableFix))
        case .error(let error):
            checks.append(.fail("head office", "\(base)/health does not answer: \(describe(error))", fix: unreachableFix))
        case .value(let answer) where answer.status != 200:
            checks.append(.fail("head office", "\(base)/health answers HTTP \(answer.status)",
                                fix: "head office is up but unwell: see journalctl -u parcours-hq on the head-office machine (its database?)"))
        case .value(let answer):
            checks.append(.ok("head office", "\(base)/health answers (\(Int((answer.ended.timeIntervalSince(answer.started) * 1000).rounded())) ms)"))
        }
        guard case .value(let answer) = health, answer.status == 200 else {
            checks.append(.skip("head office auth", because: "head office does not answer", fix: "fix the head office check first"))
            checks.append(.skip("clock", because: "head office does not answer", fix: "fix the head office check first"))
            checks.append(outbox(store, configured: true))
            return checks
        }
        checks.append(await authentication(client, cursor: store?.inboundCursor, limit: limit))
        checks.append(clock(dateHeader: answer.date, started: answer.started, ended: answer.ended))
        checks.append(outbox(store, configured: true))
        return checks
    }

    /// A signed read of the change feed from the store's own cursor, one change at most: cheap, and accepted only
    /// if head office holds this credential's public key and agrees with this PC's clock.
    private static func authentication(_ client: HeadOfficeClient, cursor: String?, limit: Duration) async -> DoctorCheck {
        let storeId = client.link.credential.storeId
        switch await withDeadline(limit + .seconds(1), { try await client.changes(after: cursor, limit: 1) }) {
        case .timedOut(let limit):
            return .fail("head office auth", "the signed request got no answer within \(limit.doctorText)",
                         fix: "head office answers /health but not the sync route: see journalctl -u parcours-hq")
        case .value:
            return .ok("head office auth", "a request signed as store \(storeId) is accepted")
        case .error(HeadOfficeClient.Failure.refused(let status, let body)):
            let detail = "head office refuses store \(storeId)'s signed request (\(status) \(body.error)): \(body.reason)"
            if body.reason.contains("clock") {
                return .fail("head office auth", detail, fix: "set this PC's clock right (timedatectl set-ntp true); see the clock line")
            }
            return .fail("head office auth", detail,
                         fix: "PARCOURS_HEADOFFICE_CREDENTIAL is not the credential head office holds for \(storeId) (rotated or revoked?): on head office run parcours hq store rotate --id \(storeId), put the new credential in /etc/parcours/store.env, systemctl restart parcours-store")
        case .error(let error):
            return .fail("head office auth", "the signed request failed: \(error)",
                         fix: "head office answers /health but not the sync route: see journalctl -u parcours-hq")
        }
    }

    /// Head office's clock from its `Date` header (whole seconds) against the middle of the request.
    static func clock(dateHeader: String?, started: Date, ended: Date) -> DoctorCheck {
        guard let dateHeader, let remote = httpDate(dateHeader) else {
            return .warn("clock", "head office's answer has no readable Date header, so the clocks cannot be compared",
                         fix: "check that nothing between this PC and head office strips the Date header")
        }
        let local = started.addingTimeInterval(ended.timeIntervalSince(started) / 2)
        // The header drops the fraction of its second: its middle is the best guess.
        let skew = remote.addingTimeInterval(0.5).timeIntervalSince(local)
        let seconds = Int(abs(skew).rounded())
        let direction = skew > 0 ? "behind" : "ahead of"
        let detail = seconds == 0 ? "this PC's clock agrees with head office's" : "this PC's clock is \(seconds) s \(direction) head office's"
        let fix = "turn on time sync: timedatectl set-ntp true (systemd-timesyncd), and check timedatectl status"
        if abs(skew) > RequestSignature.allowedClockSkew {
            return .fail("clock", "\(detail) (signed requests fail beyond \(Int(RequestSignature.allowedClockSkew)) s)", fix: fix)
        }
        if abs(skew) > warnSkew {
            return .warn("clock", "\(detail) (warn beyond \(Int(warnSkew)) s, signed requests fail beyond \(Int(RequestSignature.allowedClockSkew)) s)", fix: fix)
        }
        return .ok("clock", detail)
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// Events waiting for head office's acknowledgement, and for how long the oldest has waited.
    static func outbox(_ store: StoreFileInspection.Contents?, configured: Bool, now: Date = Date()) -> DoctorCheck {
        guard let store else {
            return .skip("outbox", because: "the store database cannot be read", fix: "fix the database check first")
        }
        let count = "\(store.pendingEvents) event\(store.pendingEvents == 1 ? "" : "s")"
        guard configured else { return .ok("outbox", "\(count) kept locally (no head office)") }
        guard let oldest = store.oldestPendingEventAt, store.pendingEvents > 0 else {
            return .ok("outbox", "nothing waiting for head office")
        }
        let age = now.timeIntervalSince(oldest)
        let detail = "\(count) waiting for head office, the oldest for \(ageText(age))"
        let fix = "the store is not syncing: see the head office lines above and journalctl -u parcours-store; parcours sync --once pushes by hand"
        if age > failBacklogAge { return .fail("outbox", "\(detail) (FAIL beyond \(ageText(failBacklogAge)))", fix: fix) }
        if age > warnBacklogAge { return .warn("outbox", "\(detail) (warn beyond \(ageText(warnBacklogAge)))", fix: fix) }
        return .ok("outbox", detail)
    }

    static func ageText(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        if whole < 120 { return "\(whole) s" }
        if whole < 7200 { return "\(whole / 60) min" }
        if whole < 172_800 { return "\(whole / 3600) h" }
        return "\(whole / 86_400) days"
    }

    /// The connection error in a few words: "connection refused", not a dump of NIO's error values.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("connectTimeout") { return "the connection timed out" }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "no answer in time" }
        if text.contains("NIOSSL") || text.contains("handshake") || text.contains("certificate") { return "TLS failed: \(text.prefix(200))" }
        return String(text.prefix(200))
    }
}
