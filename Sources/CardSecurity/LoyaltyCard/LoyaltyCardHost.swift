/// The host names cards may carry: lower-case DNS names, so the signed text has one spelling.
enum LoyaltyCardHost {
    /// With an 8-character key id, the URI record, its NDEF TLV, the terminator TLV and NTAG213's
    /// factory Lock Control TLV then fill the 144-byte data area exactly (see ``LoyaltyCardSigner``).
    static let maximumLength = 80

    static func normalized(_ host: String) throws -> String {
        let lowered = host.lowercased()
        let characters = Array(lowered.utf8)
        let allowed = characters.allSatisfy { character in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
                || character == UInt8(ascii: "-") || character == UInt8(ascii: ".")
        }
        guard (1...maximumLength).contains(characters.count), allowed,
            characters.first != UInt8(ascii: "."), characters.last != UInt8(ascii: ".")
        else {
            throw CardSecurityError.configuration(
                "card host \"\(host.prefix(100))\" must be a DNS name of 1–\(maximumLength) characters (a-z, 0-9, '-', '.')")
        }
        return lowered
    }
}
