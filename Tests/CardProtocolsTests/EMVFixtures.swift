/// EMV fixtures shaped as cards send them; lengths checked by the parsers themselves in the tests.
enum EMVFixtures {
    /// PPSE FCI with two entries, the Mastercard one (priority 2) listed before Visa (priority 1).
    static let ppseFCI = """
        6F 4A 84 0E 32 50 41 59 2E 53 59 53 2E 44 44 46 30 31 A5 38 BF 0C 35 \
        61 18 4F 07 A0 00 00 00 04 10 10 50 0A 4D 41 53 54 45 52 43 41 52 44 87 01 02 \
        61 19 4F 07 A0 00 00 00 03 10 10 50 0B 56 49 53 41 20 43 52 45 44 49 54 87 01 01
        """

    /// The PDOL Visa qVSDC cards send in their FCI.
    static let visaPDOL = "9F 66 04 9F 02 06 9F 03 06 9F 1A 02 95 05 5F 2A 02 9A 03 9C 01 9F 37 04"
}

extension EMVFixtures {
    /// A Visa credit application FCI with label, priority, PDOL, language and an FCI discretionary template.
    static let visaFCI = """
        6F 48 84 07 A0 00 00 00 03 10 10 A5 3D 50 0B 56 49 53 41 20 43 52 45 44 49 54 87 01 01 \
        9F 38 18 9F 66 04 9F 02 06 9F 03 06 9F 1A 02 95 05 5F 2A 02 9A 03 9C 01 9F 37 04 \
        5F 2D 04 65 6E 66 72 BF 0C 08 9F 5A 05 40 09 78 02 50
        """
}
