import ArgumentParser

/// Store verbs (`parcours profile …`, `parcours purchase …`, `parcours reward …`, `parcours db …`,
/// `parcours device …`, `parcours staff …`).
let storeSubcommands: [any ParsableCommand.Type] = [
    ProfileCommand.self, PurchaseCommand.self, RewardCommand.self, DatabaseCommand.self,
    DeviceCommand.self, StaffCommand.self, SyncCommand.self,
]
