import NIOSSL

extension StoreServiceSettings.TLSFiles {
    /// The server side of TLS from the two PEM files, checked now so that a bad file stops start-up naming its key
    /// instead of failing the first connection.
    ///
    /// - Throws: ``ConfigurationError`` for `tls.certificate` or `tls.key`.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ConfigurationError(key: "tls.certificate", problem: "\(certificatePath) is not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(key: "tls.certificate", problem: "\(certificatePath) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            // The error says which file; never its content.
            throw ConfigurationError(key: "tls.key", problem: "\(keyPath) is not a readable PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
