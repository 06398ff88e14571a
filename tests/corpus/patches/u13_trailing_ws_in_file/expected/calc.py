value = compute()   
result = value * 3
print(result)  
