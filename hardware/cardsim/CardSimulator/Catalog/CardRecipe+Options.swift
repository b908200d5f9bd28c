import CardProtocols
import CardSecurity
import Crypto
import Foundation

extension CardRecipe {
    /// NTAG213/215/216 content.
    public struct Type2Options: Hashable, Sendable {
        /// A URI record for the NDEF message.
        public var ndefURI: String?
        /// A text record (language `en`), after the URI record when both are given.
        public var ndefText: String?
        /// Factory content and nothing else; contradicts an NDEF message.
        public var blank = false
        /// Made read-only after its content is written (CC access `0F` and every lock bit).
        public var locked = false
        /// The data area the CC declares, when smaller than the model's (a tag "too small" for a message).
        public var dataAreaSize: Int?

        public init() {}

        /// The NDEF message the options describe; `nil` when there is none.
        public func ndefMessage() throws(CardSimulatorError) -> NDEFMessage? {
            var records: [NDEFRecord] = []
            if let ndefURI {
                guard !ndefURI.isEmpty else { throw CardSimulatorError(.invalidArgument, "the NDEF URI is empty") }
                records.append(.uri(ndefURI))
            }
            if let ndefText {
                do {
                    records.append(try .text(ndefText))
                } catch {
                    throw CardSimulatorError(.invalidArgument, "the NDEF text cannot be encoded: \(error.message)")
                }
            }
            return records.isEmpty ? nil : NDEFMessage(records: records)
        }
    }

    /// NTAG 424 DNA SUN configuration.
    public struct SUNOptions: Hashable, Sendable {
        public static let defaultTemplate = "https://parcours.example/t?picc_data={picc}&cmac={mac}"

        /// The URL with `{picc}` (or `{uid}` and `{ctr}`), optional `{file}`, and `{mac}`.
        public var template = SUNOptions.defaultTemplate
        /// Where the MAC input starts; `nil`: at `{file}` when there is one, else at `{mac}` (empty input).
        public var macInputStart: SUNURLLayout.MACInputStart?
        /// ASCII plaintext behind `{file}`, a multiple of 16 bytes.
        public var fileData: String?
        /// SDM meta read key, or the master meta key with ``systemIdentifier``.
        public var metaReadKey = SUNKeys.factoryKeyBytes
        /// SDM file read key, or the master file key diversified per UID with ``systemIdentifier``.
        public var fileReadKey = SUNKeys.factoryKeyBytes
        /// Set: the file read key is diversified from ``fileReadKey`` with UID ‖ this (AN10922).
        public var systemIdentifier: [UInt8]?
        /// SDMReadCtr before the first tap.
        public var readCounter: UInt32 = 0

        public init() {}
    }

    /// Visa and Mastercard card data; `nil` fields keep the scheme's test card values.
    public struct PaymentOptions: Hashable, Sendable {
        public var pan: String?
        /// YYMM.
        public var expiry: String?
        public var cardholderName: String?
        public var paymentAccountReference: String?
        /// Send no PAR even for Visa.
        public var omitPaymentAccountReference = false

        public init() {}
    }

    public struct HostileOptions: Hashable, Sendable {
        public var mode: HostileCard.Mode = .nonsense
        public var delay: Duration = .seconds(2)
        public var seed: UInt64 = 0x0BAD_CA7D

        public init() {}
    }

    /// The companion app's device identity and state.
    public struct AppOptions: Hashable, Sendable {
        public var deviceID: [UInt8]?
        /// The raw 32-byte P-256 private scalar.
        public var privateKey: [UInt8]?
        /// A PEM private key (SEC 1 or PKCS #8).
        public var privateKeyPEM: String?
        public var state: CompanionAppResponder.State = .ready

        public init() {}

        /// The responder with the given key, or the deterministic test key of the device.
        func makeResponder() throws(CardSimulatorError) -> CompanionAppResponder {
            let deviceID: AppDeviceID
            do {
                deviceID = try self.deviceID.map { try AppDeviceID(bytes: $0) } ?? CompanionAppCard.sampleDeviceID
            } catch {
                throw CardSimulatorError(.invalidArgument, "bad device id: \(error)")
            }
            let key: P256.Signing.PrivateKey
            switch (privateKey, privateKeyPEM) {
            case (let raw?, nil):
                guard raw.count == 32, let parsed = try? P256.Signing.PrivateKey(rawRepresentation: raw) else {
                    throw CardSimulatorError(.invalidArgument, "the private key must be a 32-byte P-256 scalar (64 hex digits)")
                }
                key = parsed
            case (nil, let pem?):
                guard let parsed = try? P256.Signing.PrivateKey(pemRepresentation: pem) else {
                    throw CardSimulatorError(.invalidArgument, "the PEM is not a P-256 private key (SEC 1 or PKCS #8)")
                }
                key = parsed
            case (nil, nil):
                key = CompanionAppCard.testKey(for: deviceID)
            case (.some, .some):
                throw CardSimulatorError(.invalidArgument, "give the private key as hex or as PEM, not both")
            }
            return CompanionAppResponder(deviceID: deviceID, privateKey: key, state: state)
        }
    }
}
