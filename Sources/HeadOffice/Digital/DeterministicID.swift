import SyncProtocol
import Crypto
import Foundation

/// Name-based UUIDs (RFC 9562 version 5: SHA-1 of a namespace and a name). Consents and touchpoints from the
/// e-commerce side get the id of (e-commerce id, kind, time), so importing the same file twice, or a webhook
/// retried, inserts nothing the second time.
enum DeterministicID {
    /// Parcours's own namespace for e-commerce records (a fixed random UUID; changing it would re-insert everything).
    static let namespace = UUID(uuidString: "6f1c2a54-8e0b-4d1e-9a57-2c6b0f7e3d91")!

    static func make(ecommerceId: String, kind: String, at: Date) -> UUID {
        // Milliseconds in UTC: the same instant written with another zone or precision is the same record.
        let name = [ecommerceId, kind, SyncDate.text(at)].joined(separator: "\u{1F}")
        var input = withUnsafeBytes(of: namespace.uuid) { Data($0) }
        input.append(Data(name.utf8))
        var bytes = Array(Insecure.SHA1.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
