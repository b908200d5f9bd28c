extension Type2Tag {
    /// NXP NTAG21x memory layouts (NTAG213/215/216 datasheet rev. 3.2, §8.5 "Memory organization").
    public struct Model: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public let totalPages: Int
        /// User memory, which is the NDEF data area: pages 4 up to just before the dynamic lock bytes.
        public let userPages: ClosedRange<Int>
        public let dynamicLockPage: Int
        /// CFG0 and CFG1 (mirror, AUTH0, ACCESS …).
        public let configurationPages: ClosedRange<Int>
        public let passwordPage: Int
        public let passwordAcknowledgePage: Int
        /// The answer to GET_VERSION (`60`).
        public let versionResponse: [UInt8]
        /// The CC NXP programs at the factory (datasheet §8.5.6).
        public let capabilityContainer: Type2CapabilityContainer

        /// Bytes of user memory: 144, 504, 888.
        public var userMemorySize: Int { userPages.count * Type2Tag.bytesPerPage }
        /// Bytes the factory CC announces for NDEF: 144, 496 (`3E`), 872 (`6D`). NXP's CC rounds the
        /// user memory down to a multiple of 8 and, on the 215 and 216, a further 8 bytes lower.
        public var dataAreaSize: Int { capabilityContainer.dataAreaSize }

        public var description: String { name }

        public static let ntag213 = Model(
            name: "NTAG213", totalPages: 45, userPages: 4...39, dynamicLockPage: 0x28, configurationPages: 0x29...0x2A,
            passwordPage: 0x2B, passwordAcknowledgePage: 0x2C, versionResponse: [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x0F, 0x03],
            capabilityContainerSize: 0x12)
        public static let ntag215 = Model(
            name: "NTAG215", totalPages: 135, userPages: 4...129, dynamicLockPage: 0x82, configurationPages: 0x83...0x84,
            passwordPage: 0x85, passwordAcknowledgePage: 0x86, versionResponse: [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x11, 0x03],
            capabilityContainerSize: 0x3E)
        public static let ntag216 = Model(
            name: "NTAG216", totalPages: 231, userPages: 4...225, dynamicLockPage: 0xE2, configurationPages: 0xE3...0xE4,
            passwordPage: 0xE5, passwordAcknowledgePage: 0xE6, versionResponse: [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x13, 0x03],
            capabilityContainerSize: 0x6D)

        public static let all: [Model] = [.ntag213, .ntag215, .ntag216]

        /// The model whose GET_VERSION answer this is, if it is one of ``all``.
        public init?(versionResponse: [UInt8]) {
            guard let model = Self.all.first(where: { $0.versionResponse == versionResponse }) else { return nil }
            self = model
        }

        init(
            name: String, totalPages: Int, userPages: ClosedRange<Int>, dynamicLockPage: Int,
            configurationPages: ClosedRange<Int>, passwordPage: Int, passwordAcknowledgePage: Int, versionResponse: [UInt8],
            capabilityContainerSize: UInt8
        ) {
            self.name = name
            self.totalPages = totalPages
            self.userPages = userPages
            self.dynamicLockPage = dynamicLockPage
            self.configurationPages = configurationPages
            self.passwordPage = passwordPage
            self.passwordAcknowledgePage = passwordAcknowledgePage
            self.versionResponse = versionResponse
            self.capabilityContainer = Type2CapabilityContainer(
                version: (1, 0), sizeByte: capabilityContainerSize, accessByte: 0x00)
        }
    }
}
