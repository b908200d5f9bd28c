import CardSecurity
import Crypto

extension SUNKeys {
    /// NXP ships every NTAG 424 DNA key as 16 zero bytes (AN12196 examples use them).
    public static let factoryKeyBytes = [UInt8](repeating: 0, count: 16)

    /// The same two keys on every tag, from raw bytes.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` unless both are 16 bytes.
    public static func fixed(metaReadKeyBytes: [UInt8], fileReadKeyBytes: [UInt8]) throws(CardSimulatorError) -> SUNKeys {
        try checkAES128(metaReadKeyBytes, "SDM meta read key")
        try checkAES128(fileReadKeyBytes, "SDM file read key")
        return .fixed(metaReadKey: SymmetricKey(data: metaReadKeyBytes), fileReadKey: SymmetricKey(data: fileReadKeyBytes))
    }

    /// A shared meta read key and per-tag file read keys diversified from a master key (AN10922), from raw bytes.
    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidArgument`` unless both keys are 16 bytes
    ///   and the system identifier fits AN10922 beside a 7-byte UID.
    public static func diversified(
        masterMetaKeyBytes: [UInt8], masterFileKeyBytes: [UInt8], systemIdentifier: [UInt8]
    ) throws(CardSimulatorError) -> SUNKeys {
        try checkAES128(masterMetaKeyBytes, "SDM master meta read key")
        try checkAES128(masterFileKeyBytes, "SDM master file read key")
        guard systemIdentifier.count <= maximumSystemIdentifierLength else {
            throw CardSimulatorError(
                .invalidArgument,
                "the system identifier is \(systemIdentifier.count) bytes; at most \(maximumSystemIdentifierLength) fit beside a 7-byte UID")
        }
        return .diversified(
            masterMetaKey: SymmetricKey(data: masterMetaKeyBytes), masterFileKey: SymmetricKey(data: masterFileKeyBytes),
            systemIdentifier: systemIdentifier)
    }

    private static func checkAES128(_ bytes: [UInt8], _ name: String) throws(CardSimulatorError) {
        guard bytes.count == 16 else {
            throw CardSimulatorError(.invalidArgument, "the \(name) is AES-128: 16 bytes (32 hex digits); got \(bytes.count)")
        }
    }
}
