squares = [number * number for number in range(10)]

print(squares)
