words = ["list", "comprehensions", "are", "neat"]
lengths = {word: len(word) for word in words}

print(lengths)  # {'list': 4, 'comprehensions': 14, 'are': 3, 'neat': 4}
