import ArgumentParser

/// Store verbs (`parcours profile …`, `parcours purchase …`, `parcours reward …`, `parcours db …`).
let storeSubcommands: [any ParsableCommand.Type] = [
    ProfileCommand.self, PurchaseCommand.self, RewardCommand.self, DatabaseCommand.self,
]
