console.log('sandbox: not yet');
