// registerPage
throw new Error('files starting with . should not be imported');
