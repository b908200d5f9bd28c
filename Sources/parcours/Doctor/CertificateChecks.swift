import Foundation
import StoreService
import SwiftASN1
import X509

/// `tls certificate` (the service's own, `tls.certificate` and `tls.key`) and `head office CA`
/// (`PARCOURS_HEADOFFICE_CA_FILE`): readable, parsed, the key the certificate's, and in date.
enum CertificateChecks {
    /// A certificate expiring sooner than this is a warning: time to renew it before the kiosks lose the service.
    static let warnBefore: TimeInterval = 30 * 86_400

    static func run(settings: DoctorSettings, environment: [String: String], now: Date = Date()) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        if let configuration = settings.service {
            if let tls = configuration.service.tls {
                checks.append(serviceCertificate(certificatePath: tls.certificatePath, keyPath: tls.keyPath, now: now))
            } else {
                checks.append(.ok("tls certificate", "not configured: the service speaks plain HTTP (loopback only)"))
            }
        } else {
            checks.append(.skip("tls certificate", because: "the settings did not load, so tls.certificate is unknown", fix: "fix the config check first"))
        }
        if let caFile = environment["PARCOURS_HEADOFFICE_CA_FILE"], !caFile.isEmpty {
            checks.append(authority(path: caFile, now: now))
        } else {
            checks.append(.ok("head office CA", "not configured: head office's certificate is checked against the system's roots"))
        }
        return checks
    }

    static func serviceCertificate(certificatePath: String, keyPath: String, now: Date) -> DoctorCheck {
        let check = "tls certificate"
        let chain: [Certificate]
        switch certificates(at: certificatePath) {
        case .failure(let problem):
            return .fail(check, "tls.certificate \(certificatePath): \(problem)", fix: "point tls.certificate at the PEM certificate (chain) of this PC, readable by the parcours user")
        case .success(let found):
            chain = found
        }
        guard let leaf = chain.first else {
            return .fail(check, "tls.certificate \(certificatePath) holds no certificate", fix: "point tls.certificate at a PEM certificate")
        }
        let key: Certificate.PrivateKey
        do {
            // The key's text never goes into a message: only which file failed.
            let text = try String(contentsOfFile: keyPath, encoding: .utf8)
            key = try Certificate.PrivateKey(pemEncoded: text)
        } catch {
            return .fail(check, "tls.key \(keyPath) is not a readable, unencrypted PEM private key",
                         fix: "point tls.key at the certificate's private key (PEM, not password-protected), mode 0640 root:parcours")
        }
        guard key.publicKey == leaf.publicKey else {
            return .fail(check, "tls.key \(keyPath) is not the key of the certificate in \(certificatePath) (\(leaf.subject))",
                         fix: "install the key that was generated with this certificate, or a certificate issued for this key; the service's TLS handshakes fail until then")
        }
        return validity(check, leaf, path: certificatePath, now: now,
                        renew: "renew the certificate (same key or new), install it as \(certificatePath), systemctl restart parcours-store")
    }

    static func authority(path: String, now: Date) -> DoctorCheck {
        let check = "head office CA"
        switch certificates(at: path) {
        case .failure(let problem):
            return .fail(check, "PARCOURS_HEADOFFICE_CA_FILE \(path): \(problem)", fix: "point PARCOURS_HEADOFFICE_CA_FILE at the chain CA's PEM certificate, readable by the parcours user")
        case .success(let roots) where roots.isEmpty:
            return .fail(check, "PARCOURS_HEADOFFICE_CA_FILE \(path) holds no certificate", fix: "point it at the chain CA's PEM certificate")
        case .success(let roots):
            // The soonest to expire decides: once it has, head office's chain through it no longer verifies.
            let first = roots.min { $0.notValidAfter < $1.notValidAfter } ?? roots[0]
            return validity(check, first, path: path, now: now,
                            renew: "install the chain's current CA certificate as \(path) (the head-office team has it), systemctl restart parcours-store")
        }
    }

    private static func validity(_ check: String, _ certificate: Certificate, path: String, now: Date, renew: String) -> DoctorCheck {
        let subject = "\(certificate.subject)"
        let until = certificate.notValidAfter.formatted(Date.ISO8601FormatStyle().year().month().day())
        if certificate.notValidBefore > now {
            let from = certificate.notValidBefore.formatted(Date.ISO8601FormatStyle().year().month().day())
            return .fail(check, "\(path) (\(subject)) is not valid before \(from)", fix: "check this PC's clock (timedatectl); or \(renew)")
        }
        if certificate.notValidAfter < now {
            return .fail(check, "\(path) (\(subject)) expired on \(until)", fix: renew)
        }
        let days = Int(certificate.notValidAfter.timeIntervalSince(now) / 86_400)
        if certificate.notValidAfter.timeIntervalSince(now) < warnBefore {
            return .warn(check, "\(path) (\(subject)) expires on \(until), in \(days) day\(days == 1 ? "" : "s")", fix: renew)
        }
        return .ok(check, "\(path) (\(subject)) valid until \(until) (\(days) days)")
    }

    /// Every certificate in a PEM file, or what is wrong with the file.
    private static func certificates(at path: String) -> Result<[Certificate], CertificateFileProblem> {
        guard FileManager.default.isReadableFile(atPath: path), let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(.init(description: "cannot be read (missing, or not readable by this user)"))
        }
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        var found: [Certificate] = []
        var rest = text[...]
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            do {
                found.append(try Certificate(pemEncoded: String(rest[start.lowerBound..<stop.upperBound])))
            } catch {
                return .failure(.init(description: "certificate \(found.count + 1) does not parse (\(error))"))
            }
            rest = rest[stop.upperBound...]
        }
        return .success(found)
    }

    struct CertificateFileProblem: Error, CustomStringConvertible {
        var description: String
    }
}
