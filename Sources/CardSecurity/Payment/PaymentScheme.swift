/// The card scheme, from the registered application provider identifier (RID, the AID's first
/// 5 bytes).
public enum PaymentScheme: String, Sendable, Hashable, Codable, CaseIterable {
    case visa
    case mastercard
    case americanExpress
    case cb
    case discover
    case jcb
    case unionPay
    case interac
    case unknown

    public init(aid: [UInt8]) {
        self = switch Array(aid.prefix(5)) {
        case [0xA0, 0x00, 0x00, 0x00, 0x03]: .visa
        case [0xA0, 0x00, 0x00, 0x00, 0x04]: .mastercard
        case [0xA0, 0x00, 0x00, 0x00, 0x25]: .americanExpress
        case [0xA0, 0x00, 0x00, 0x00, 0x42]: .cb
        case [0xA0, 0x00, 0x00, 0x01, 0x52]: .discover
        case [0xA0, 0x00, 0x00, 0x00, 0x65]: .jcb
        case [0xA0, 0x00, 0x00, 0x03, 0x33]: .unionPay
        case [0xA0, 0x00, 0x00, 0x02, 0x77]: .interac
        default: .unknown
        }
    }
}
