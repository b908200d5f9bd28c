import CardProtocols
import Crypto

/// Produces the URL an NTAG 424 DNA would serve for a read, for the card simulator and tests.
///
/// Same cryptography as the tag: PICCData is `C7 ‖ UID ‖ ctr (LE) ‖ 5 random bytes` encrypted with
/// AES-CBC under the meta read key and a zero IV; file data is encrypted under the session key;
/// the MAC covers the rendered URL text from the MAC input start up to the MAC.
public struct SUNMessageGenerator: Sendable {
    public let template: SUNURLTemplate
    public let keys: SUNKeys

    /// - Throws: ``CardSecurityError`` `.configuration` for keys that are not AES-128.
    public init(template: SUNURLTemplate, keys: SUNKeys) throws {
        try keys.validate()
        self.template = template
        self.keys = keys
    }

    /// The URL the tag with `uid` serves when its read counter is `counter`.
    ///
    /// - Parameters:
    ///   - uid: 7 bytes.
    ///   - counter: SDMReadCtr after the read, 0…0xFFFFFF.
    ///   - fileData: The plaintext behind `{file}`, exactly ``SUNURLTemplate/fileDataLength`` bytes;
    ///     `nil` when the template has no `{file}`.
    public func makeURL(uid: [UInt8], counter: UInt32, fileData: [UInt8]? = nil) throws -> String {
        var random = SystemRandomNumberGenerator()
        let padding = (0..<5).map { _ in UInt8.random(in: 0...UInt8.max, using: &random) }
        return try makeURL(uid: uid, counter: counter, fileData: fileData, piccPadding: padding)
    }

    /// As ``makeURL(uid:counter:fileData:)`` with chosen PICCData padding, for reproducible vectors.
    public func makeURL(uid: [UInt8], counter: UInt32, fileData: [UInt8]?, piccPadding: [UInt8]) throws -> String {
        guard uid.count == SUNSession.uidLength else {
            throw CardSecurityError.configuration("UID must be 7 bytes, got \(uid.count)")
        }
        guard counter <= SUNSession.maximumCounter else {
            throw CardSecurityError.configuration("counter \(counter) does not fit SDMReadCtr's 3 bytes")
        }
        guard piccPadding.count == 5 else {
            throw CardSecurityError.configuration("PICCData padding must be 5 bytes, got \(piccPadding.count)")
        }
        let session = SUNSession(uid: uid, counter: counter, fileReadKey: try keys.fileReadKey(uid: uid))

        var values: [SUNURLTemplate.Placeholder: String] = [:]
        switch template.layout.picc {
        case .encrypted:
            let plaintext = [SUNSession.piccDataTag] + uid + session.counterLittleEndian + piccPadding
            values[.piccData] = Hex.encode(try AES128.encryptCBC(plaintext, key: keys.metaReadKey))
        case .plain:
            values[.uid] = Hex.encode(uid)
            values[.counter] = Hex.encode(session.counterLittleEndian.reversed())
        }
        switch (template.fileDataLength, fileData) {
        case (0, nil):
            break
        case (let expected, let fileData?) where fileData.count == expected:
            values[.fileData] = Hex.encode(try session.encryptFileData(fileData))
        default:
            throw CardSecurityError.configuration(
                "the template mirrors \(template.fileDataLength) bytes of file data, got \(fileData?.count ?? 0)")
        }

        values[.mac] = String(repeating: "0", count: template.width(of: .mac))
        do {
            let macInput = try template.layout.extract(from: template.render(values)).macInput
            values[.mac] = Hex.encode(try session.truncatedMAC(over: macInput))
            return try template.render(values)
        } catch let error as CardProtocolError {
            throw CardSecurityError.configuration("SUN template: \(error.message)")
        }
    }
}
