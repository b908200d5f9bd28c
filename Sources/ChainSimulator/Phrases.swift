/// Names and feedback comments the simulated chain uses, in the chain's two languages.
enum Phrases {
    static let frenchFirstNames = ["Camille", "Léa", "Manon", "Chloé", "Inès", "Louise", "Jade", "Hugo", "Lucas", "Louis",
                                   "Gabriel", "Arthur", "Jules", "Théo", "Zoé", "Élodie", "Mathis", "Noémie", "Sacha", "Anaïs"]
    static let frenchLastNames = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                                  "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier", "Girard", "Rousseau"]
    static let englishFirstNames = ["Olivia", "Amelia", "Isla", "Ava", "Emily", "Oliver", "George", "Harry", "Noah", "Jack",
                                    "Sophie", "Grace", "James", "Ella", "Henry", "Lily"]
    static let englishLastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans",
                                   "Walker", "Wright", "Thompson", "Clarke", "Hughes"]

    /// Comments by how the person scored the visit: promoters (9–10), passives (7–8), detractors (0–6).
    static func comments(language: String, score: Int) -> [String] {
        switch (language, score) {
        case ("fr", 9...10):
            return ["Accueil chaleureux, je reviendrai !", "Caisse rapide et personnel très aimable.",
                    "Super conseils au rayon chaussures.", "Nouvelle collection magnifique.", "Borne simple, carte reconnue tout de suite."]
        case ("fr", 7...8):
            return ["Bien, mais un peu d'attente en caisse.", "Correct, le rayon était un peu en désordre.",
                    "Bonne expérience, il manquait ma taille.", "Personnel sympa mais débordé le samedi."]
        case ("fr", _):
            return ["Trop d'attente, une seule caisse ouverte.", "Produit en rupture, déçue.",
                    "La borne n'a pas reconnu ma carte.", "Personne pour renseigner en cabine.", "Prix en rayon différent de la caisse."]
        case (_, 9...10):
            return ["Great service and a quick checkout.", "Loved the new collection!", "Staff were really helpful.",
                    "The kiosk knew me straight away, nice touch."]
        case (_, 7...8):
            return ["Good, but the queue was long.", "Fine overall, not many sizes left.", "Nice shop, a bit noisy."]
        default:
            return ["Waited ages, only one till open.", "Out of stock again.", "Nobody to help in the fitting rooms.",
                    "The kiosk did not read my card."]
        }
    }
}
