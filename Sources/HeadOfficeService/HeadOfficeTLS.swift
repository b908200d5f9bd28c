import HeadOffice
import NIOSSL

/// The head-office node's own TLS: a PEM certificate chain and its private key, the same files a store's
/// `tls.certificate` / `tls.key` take.
public struct HeadOfficeTLS: Sendable {
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Read and checked now, so that a bad file stops start-up naming the option instead of failing the first
    /// connection.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw HeadOfficeError(.invalidArgument, "--tls-certificate: \(certificatePath) is not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw HeadOfficeError(.invalidArgument, "--tls-certificate: \(certificatePath) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            // Which file, never its content.
            throw HeadOfficeError(.invalidArgument, "--tls-key: \(keyPath) is not a readable PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
