squares = []
for number in range(10):
    squares.append(number * number)

print(squares)
