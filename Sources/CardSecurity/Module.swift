// Placeholder until the CardSecurity layer lands; removed by its first real file.
