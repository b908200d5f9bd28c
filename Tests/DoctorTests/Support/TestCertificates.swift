import Crypto
import Foundation
import SwiftASN1
import X509

/// Self-signed certificates and keys written as PEM files, made in the test so each can be broken on purpose.
enum TestCertificates {
    struct Pair {
        var certificatePath: String
        var keyPath: String
    }

    /// A certificate for `commonName` valid from `notBefore` to `notAfter`, signed by its own key, and that key
    /// (or, with `writingKey`, another one: a key that does not match).
    static func write(in directory: URL, name: String, commonName: String, notBefore: Date, notAfter: Date,
                      writingKey other: P256.Signing.PrivateKey? = nil) throws -> Pair {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: .init(key))
        let pair = Pair(certificatePath: directory.appendingPathComponent("\(name).crt").path,
                        keyPath: directory.appendingPathComponent("\(name).key").path)
        try certificate.serializeAsPEM().pemString.write(toFile: pair.certificatePath, atomically: true, encoding: .utf8)
        try (other ?? key).pemRepresentation.write(toFile: pair.keyPath, atomically: true, encoding: .utf8)
        return pair
    }
}
