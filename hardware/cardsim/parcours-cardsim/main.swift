print("cardsim")
